// Skip logic: a question or section with data-show-if="q12" is shown only when question 12 has
// an answer (equal to data-show-if-value when that is set). The server applies the same rule.
(function () {
  "use strict";
  function values(form, name) {
    return Array.prototype.filter
      .call(form.elements, function (el) {
        if (el.name !== name) return false;
        if (el.type === "radio" || el.type === "checkbox") return el.checked;
        return el.value.trim() !== "";
      })
      .map(function (el) { return el.value.trim(); });
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var answered = values(form, el.dataset.showIf);
      var wanted = el.dataset.showIfValue || "";
      el.hidden = !(answered.length && (!wanted || answered.indexOf(wanted) !== -1));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".survey-form");
    if (!form) return;
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
  });
})();
