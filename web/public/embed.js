/* The booking widget on a restaurant's own site:
 *   <script src="https://HOST/web/embed.js" data-restaurant="ID" async></script>
 * inserts an iframe of https://HOST/book/ID after the script, as tall as its content.
 * Optional: data-lang="nl" (the widget's language), data-title (the frame's title).
 * The site must be listed in GUEST_FRAME_ANCESTORS, or browsers refuse to show the frame.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.restaurant) return;
  var origin = new URL(script.src, location.href).origin;
  var address = origin + "/book/" + encodeURIComponent(script.dataset.restaurant);
  if (script.dataset.lang) address += "?lang=" + encodeURIComponent(script.dataset.lang);
  var frame = document.createElement("iframe");
  frame.src = address;
  frame.title = script.dataset.title || "Book a table";
  frame.loading = "lazy";
  frame.style.cssText = "display:block;width:100%;max-width:44rem;height:40rem;border:0";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    // only our frame's own messages, from the widget's origin
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === "reservations-book:height" && typeof data.height === "number") {
      frame.style.height = Math.max(200, Math.ceil(data.height)) + "px";
    }
  });
})();
