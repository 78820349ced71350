import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Two pages, both served by the API process: /book/... (guest widget) and /console/...
// (staff). Their scripts and styles live under /web/, which the API serves from dist/.
export default defineConfig({
  base: "/web/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: {
      input: {
        book: resolve(import.meta.dirname, "book/index.html"),
        console: resolve(import.meta.dirname, "console/index.html"),
      },
    },
  },
  server: {
    // `npm run dev` beside `reservations dev`: the API answers /api and /book, /console pages
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
