/* The quiz's countdown: the server's deadline, corrected for the phone's clock. At zero the
   answers are sent (the server still decides: a few seconds of grace, then refused). */
(function () {
  "use strict";
  var timer = document.querySelector(".quiz-timer");
  var form = document.getElementById("quiz-form");
  if (!timer || !form) return;
  var deadline = Date.parse(timer.dataset.deadline);
  var skew = Date.parse(timer.dataset.now) - Date.now();
  var left = timer.querySelector(".quiz-left");
  var clock = timer.querySelector(".quiz-clock");
  var announce = document.querySelector(".quiz-announce");
  var warned = false, sent = false;
  left.hidden = false;
  function tick() {
    var ms = deadline - (Date.now() + skew);
    var s = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(s / 60);
    clock.textContent = m + ":" + String(s % 60).padStart(2, "0");
    if (s <= 60 && !warned && announce) { warned = true; announce.textContent = announce.dataset.oneMinute; }
    if (s <= 60) timer.classList.add("quiz-ending");
    if (ms <= 0 && !sent) {
      sent = true;
      if (announce) announce.textContent = announce.dataset.timeUp;
      var action = document.createElement("input");
      action.type = "hidden"; action.name = "action"; action.value = "finish";
      form.appendChild(action);
      form.submit();
      return;
    }
    window.setTimeout(tick, 500);
  }
  tick();
})();
