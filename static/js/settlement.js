// Settlement forms: show the amount due on the chosen payment date before saving
// (GET books/obligations/<id>/amount-due/?date=YYYY-MM-DD). No inline script (CSP).
(function () {
  "use strict";
  function money(s) {
    var n = Number(s);
    return "$" + n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  document.querySelectorAll("form.js-amount-due").forEach(function (form) {
    var dateInput = form.querySelector('input[type="date"]');
    var line = form.querySelector(".js-due-line");
    if (!dateInput || !line) return;
    function refresh() {
      if (!dateInput.value) { line.textContent = ""; return; }
      fetch(form.dataset.url + "?date=" + encodeURIComponent(dateInput.value), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.error) { line.textContent = d.error; line.classList.add("text-danger"); return; }
          line.classList.remove("text-danger");
          line.textContent = "If paid on " + d.date + ": " + money(d.amount) + " due, " + money(d.settled) +
            " settled, balance " + money(d.balance) + ". " + d.note;
        })
        .catch(function () { line.textContent = ""; });
    }
    dateInput.addEventListener("change", refresh);
    refresh();
  });
})();
