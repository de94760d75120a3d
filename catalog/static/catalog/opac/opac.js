// Small enhancements; every page works without them.
(function () {
  "use strict";
  // Filters apply as soon as one is ticked.
  document.querySelectorAll(".facet-form input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () { box.form.requestSubmit ? box.form.requestSubmit() : box.form.submit(); });
  });
  // A "Copy" button beside the link field.
  document.querySelectorAll("input[data-copy]").forEach(function (field) {
    if (!navigator.clipboard) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = field.dataset.copyLabel;
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = field.dataset.copiedLabel;
      });
    });
    field.after(button, status);
  });
})();
