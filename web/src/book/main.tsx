import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/base.css";

// The guest booking widget; its screens are being built (see web/README.md).
function BookingWidget() {
  return (
    <main>
      <h1>Book a table</h1>
    </main>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <BookingWidget />
  </StrictMode>,
);
