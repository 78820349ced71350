// Inside a restaurant's site (web/public/embed.js) the widget tells the page its height,
// so the iframe fits its content without a scroll bar of its own.
export const HEIGHT_MESSAGE = "reservations-book:height";

export function reportHeightToParent(): void {
  if (window.parent === window) return;
  let last = 0;
  const tell = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    // only a number leaves the frame, so any embedding origin may hear it
    window.parent.postMessage({ type: HEIGHT_MESSAGE, height }, "*");
  };
  new ResizeObserver(tell).observe(document.body);
  tell();
}
