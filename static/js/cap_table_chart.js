/* Cap table chart: fully diluted holdings per holder, stacked by class.
   Data comes from the page via json_script (#cap-chart-data); no network requests. */
(function () {
  "use strict";
  var dataEl = document.getElementById("cap-chart-data");
  var canvas = document.getElementById("cap-chart");
  if (!dataEl || !canvas || typeof Chart === "undefined") { return; }
  var d = JSON.parse(dataEl.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        { label: "Common", data: d.common, backgroundColor: "#0d6efd" },
        { label: "Preferred as converted", data: d.series_j, backgroundColor: "#6f42c1" },
        { label: "Debentures as converted", data: d.debentures, backgroundColor: "#fd7e14" },
        { label: "Warrants", data: d.warrants, backgroundColor: "#20c997" }
      ]
    },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true, title: { display: true, text: "shares, fully diluted" } }, y: { stacked: true, ticks: { autoSkip: false } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
    }
  });
})();
