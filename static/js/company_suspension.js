// RRA 3(h): live verdict on a proposed suspension before it is saved.
// Calls the JSON preview endpoint (nothing is saved) whenever the dates change.
(function () {
  "use strict";
  const form = document.getElementById("suspension-form");
  if (!form) return;
  const box = document.getElementById("verdict");
  const url = form.dataset.previewUrl;
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  let timer = null;

  function render(data) {
    if (!data.ok) {
      const msgs = [];
      Object.values(data.errors || {}).forEach((list) => list.forEach((e) => msgs.push(e.message || e)));
      box.innerHTML = msgs.length ? `<div class="alert alert-warning" data-testid="verdict-error">${msgs.map(esc).join("<br>")}</div>` : "";
      return;
    }
    const v = data.verdict;
    if (v.permitted) {
      box.innerHTML = `<div class="alert alert-success" data-testid="verdict" data-permitted="true"><strong>Permitted Suspension Period.</strong>
        Every day ${esc(v.proposed.start)}–${esc(v.proposed.end)} (${v.proposed.days} days) is within RRA 3(h).</div>`;
      return;
    }
    const days = v.not_permitted.map((r) => `<span class="badge text-bg-danger me-1">${esc(r.day)}</span>`).join("");
    const breaches = v.breaches.map((b) => `<li>${esc(b.message)}</li>`).join("");
    const ok = v.permitted_from ? `Permitted: ${esc(v.permitted_from)}–${esc(v.permitted_through)}.` : "";
    box.innerHTML = `<div class="alert alert-danger" data-testid="verdict" data-permitted="false">
      <strong>Not a Permitted Suspension Period</strong> for ${v.not_permitted.length} of ${v.proposed.days} day(s). ${ok}
      <ul class="mb-1">${breaches}</ul><div class="small">Not-permitted days: ${days}</div>
      <div class="small mt-1">Each run of such days starts a Restricted Sale Date (RRA 2(b)(ii)); Periodic Amounts run until the restriction ends.</div></div>`;
  }

  function check() {
    const fd = new FormData(form);
    if (!fd.get("start_date") || !fd.get("end_date")) { box.innerHTML = ""; return; }
    fd.delete("csrfmiddlewaretoken");
    const qs = new URLSearchParams(fd).toString();
    fetch(`${url}?${qs}`, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => r.json())
      .then(render)
      .catch(() => { box.innerHTML = `<div class="alert alert-warning">Could not check now; use "Check against RRA 3(h)".</div>`; });
  }

  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 50); });
})();
