// SPA 4(j)(i) offer form: find a Buyer's row in the receipt-dates table by typing part of its name
// (the table has a row per Buyer: a thousand at scale, issue 17).
(function () {
  "use strict";
  document.querySelectorAll("[data-filter-rows]").forEach(function (box) {
    const table = document.getElementById(box.dataset.filterRows);
    if (!table) return;
    const rows = Array.from(table.tBodies[0].rows).map(function (tr) { return [tr, tr.cells[0].textContent.toLowerCase()]; });
    box.addEventListener("input", function () {
      const term = box.value.trim().toLowerCase();
      rows.forEach(function (r) { r[0].hidden = term !== "" && !r[1].includes(term); });
    });
  });
})();
