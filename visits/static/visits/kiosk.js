// The kiosk goes back to its start page after a while without a touch or a key, so that the
// next visitor never sees what the previous one typed or was greeted with. Without JavaScript
// the pages still work; the "Done" button goes back by hand.
(function () {
  "use strict";
  var root = document.querySelector("[data-return-url]");
  if (!root) return;
  var seconds = parseInt(root.getAttribute("data-return-seconds"), 10) || 60;
  var timer = null;
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      window.location.assign(root.getAttribute("data-return-url"));
    }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
