import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/base.css";

// The staff console; its screens are being built (see web/README.md).
function Console() {
  return (
    <main>
      <h1>Restaurant console</h1>
    </main>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <Console />
  </StrictMode>,
);
