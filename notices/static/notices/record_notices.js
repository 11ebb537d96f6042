// A record page (conversion, exercise, redemption, ...) updates its notices' status by itself:
// while a notice is queued or rendering, poll the status endpoint every 2 s (up to 10 minutes)
// and swap the badge and the action link in place. No inline script (CSP).
(function () {
  "use strict";
  const BADGE = { ready: "text-bg-success", failed: "text-bg-danger", waiting: "text-bg-warning", rendering: "text-bg-info", pending: "text-bg-secondary" };
  const ACTIVE = ["pending", "rendering"];
  document.querySelectorAll("[data-testid=record-notices][data-status-url]").forEach(function (card) {
    if (card.dataset.polling) return;
    card.dataset.polling = "1";
    const url = card.dataset.statusUrl;
    const started = Date.now();
    function rows() { return Array.from(card.querySelectorAll("tr[data-notice-id]")); }
    function active() { return rows().filter(function (r) { return ACTIVE.indexOf(r.dataset.status) >= 0; }); }
    function render(row, n) {
      row.dataset.status = n.status;
      const badge = row.querySelector("[data-role=status] [data-testid=notice-status]");
      if (badge) { badge.className = "badge " + (BADGE[n.status] || "text-bg-secondary"); badge.textContent = n.label; }
      const action = row.querySelector("[data-role=action]");
      if (!action) return;
      action.textContent = "";
      const a = document.createElement("a");
      if (n.download_url) { a.href = n.download_url; a.className = "btn btn-outline-primary btn-sm"; a.textContent = "Download PDF"; }
      else if (n.status === "failed" || n.status === "waiting") { a.href = n.detail_url; a.textContent = n.status === "failed" ? "See the error" : "Why it waits"; }
      else { const s = document.createElement("span"); s.className = "text-muted small"; s.textContent = "rendering\u2026"; action.appendChild(s); return; }
      action.appendChild(a);
    }
    function poll() {
      const ids = active().map(function (r) { return r.dataset.noticeId; });
      if (!ids.length || Date.now() - started > 600000) return;
      fetch(url + "?ids=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          rows().forEach(function (row) { const n = (data.notices || {})[row.dataset.noticeId]; if (n) render(row, n); });
        })
        .catch(function () {})
        .finally(function () { setTimeout(poll, 2000); });
    }
    setTimeout(poll, 1000);
  });
})();
