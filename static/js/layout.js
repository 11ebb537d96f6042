// Wide tables scroll inside their card instead of widening the page (phones, 1024 px):
// every table in the main area that is not already in a .table-responsive gets one.
// A wrapper that actually scrolls is made keyboard-focusable (WCAG: scrollable regions).
(function () {
  "use strict";
  const wraps = [];
  document.querySelectorAll("main table").forEach(function (table) {
    let wrap = table.closest(".table-responsive");
    if (!wrap) {
      wrap = document.createElement("div");
      wrap.className = "table-responsive";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    wraps.push(wrap);
  });
  function focusable() {
    wraps.forEach(function (w) {
      if (w.scrollWidth > w.clientWidth + 1) {
        w.tabIndex = 0;
        if (!w.hasAttribute("aria-label")) w.setAttribute("aria-label", "Table (scrolls sideways)");
      } else {
        w.removeAttribute("tabindex");
      }
    });
  }
  focusable();
  window.addEventListener("resize", focusable);
})();
