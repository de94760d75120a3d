/* The desk's scan box, for keyboard-wedge scanners: each Enter sends one scan; the box is
   emptied at once so the next scan can be typed while the answer is on its way, and scans are
   sent one after another in the order they were made. Without JavaScript the form posts as
   usual. Also: [data-print] buttons print the page. */
(function () {
  "use strict";
  var queue = Promise.resolve();

  function scanBox() {
    return document.getElementById("scan-code");
  }

  function showError(form) {
    var region = document.getElementById("scan-result");
    if (!region) return;
    var box = document.createElement("div");
    box.className = "result bad";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = form.getAttribute("data-error-text");
    box.appendChild(text);
    region.replaceChildren(box);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-desk-scan]") || !window.htmx) return;
    event.preventDefault();
    var input = scanBox();
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) return;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    queue = queue
      .then(function () {
        return window.htmx.ajax("POST", form.action, {
          target: "#scan-result",
          swap: "innerHTML",
          values: { code: code, csrfmiddlewaretoken: token },
        });
      })
      .catch(function () {
        showError(form);
      });
  });

  document.addEventListener("htmx:responseError", function () {
    var form = document.querySelector("[data-desk-scan]");
    if (form) showError(form);
  });
  document.addEventListener("htmx:sendError", function () {
    var form = document.querySelector("[data-desk-scan]");
    if (form) showError(form);
  });

  document.addEventListener("htmx:afterSettle", function () {
    var wanted = document.querySelector("#scan-result [autofocus]") || scanBox();
    if (wanted) wanted.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
