// SPA 10: show the deemed-given date while a notice is being logged.
(function () {
  "use strict";
  const form = document.getElementById("notice-form");
  if (!form) return;
  const hint = document.getElementById("deemed-hint");
  function update() {
    const method = form.querySelector("[name=n-method]").value;
    const sent = form.querySelector("[name=n-sent_date]").value;
    if (!method || !sent) { hint.textContent = ""; return; }
    fetch(`${form.dataset.url}?method=${encodeURIComponent(method)}&sent_date=${encodeURIComponent(sent)}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((d) => { hint.textContent = d.ok ? `Deemed given ${d.deemed_given_on} (SPA 10): ${d.working.join(" ")}` : d.error; })
      .catch(() => { hint.textContent = ""; });
  }
  form.addEventListener("change", update);
  update();
})();
