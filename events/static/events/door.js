// The door screen: scan a registration's QR code with the phone's camera where the browser
// has BarcodeDetector; the code fills the search field and the form is sent. Without it (or
// without a camera) staff type a name or use a scanner, which types into the field.
(function () {
  "use strict";
  var button = document.getElementById("door-camera");
  var field = document.getElementById("door-q");
  if (!button || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var video = document.getElementById("door-video");
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.hidden = false;
        video.srcObject = stream;
        video.play();
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              field.value = codes[0].rawValue;
              field.form.submit();
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.requestAnimationFrame(look); });
        };
        look();
      })
      .catch(function () { button.hidden = true; });
  });
})();
