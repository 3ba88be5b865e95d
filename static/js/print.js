/* A "Print" button without an inline handler (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
