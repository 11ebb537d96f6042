/* What-if chart: shares issued under the deal and against the cap, the 20% cap as a line,
   and the authorized headroom after the reserve. Data from #whatif-chart-data; no network. */
(function () {
  "use strict";
  var el = document.getElementById("whatif-chart-data");
  var canvas = document.getElementById("whatif-chart");
  if (!el || !canvas || typeof Chart === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: d.labels,
      datasets: [
        { label: "Shares issued (total)", data: d.issued, borderColor: "#0d6efd", pointRadius: 0 },
        { label: "Counted against the cap", data: d.cap, borderColor: "#6f42c1", pointRadius: 0 },
        { label: "20% cap", data: d.labels.map(function () { return d.cap_limit; }), borderColor: "#dc3545", borderDash: [6, 4], pointRadius: 0 },
        { label: "Authorized headroom after reserve", data: d.headroom, borderColor: "#20c997", pointRadius: 0, yAxisID: "y2", hidden: true }
      ]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
      scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { title: { display: true, text: "shares" } },
                y2: { position: "right", grid: { drawOnChartArea: false }, display: "auto" } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
    }
  });
})();
