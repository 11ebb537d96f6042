// Deadline timeline: open obligations per day for the next 90 days, stacked by kind.
(function () {
  "use strict";
  var canvas = document.getElementById("timeline-chart");
  var source = document.getElementById("timeline-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#dc3545", "#fd7e14", "#ffc107", "#198754", "#20c997", "#0dcaf0", "#0d6efd", "#6610f2", "#6f42c1", "#d63384",
    "#6c757d", "#343a40", "#adb5bd", "#795548", "#009688", "#3f51b5", "#8bc34a", "#ff5722", "#607d8b", "#9c27b0", "#cddc39",
    "#00bcd4", "#e91e63"];
  var money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  var nonBusiness = {
    id: "nonBusiness",
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var w = x.width / data.labels.length;
      ctx.save();
      ctx.fillStyle = "rgba(108,117,125,0.08)";
      data.business_days.forEach(function (open, i) {
        if (!open) { ctx.fillRect(x.getPixelForValue(i) - w / 2, area.top, w, area.bottom - area.top); }
      });
      ctx.restore();
    }
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (d, i) {
        return { label: d.label, data: d.counts, amounts: d.amounts, backgroundColor: palette[i % palette.length], stack: "due" };
      })
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 13 } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "open items due" } }
      },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          filter: function (item) { return item.raw > 0; },
          callbacks: {
            label: function (item) {
              var amount = Number(item.dataset.amounts[item.dataIndex]);
              return item.dataset.label + ": " + item.raw + (amount ? " (" + money.format(amount) + ")" : "");
            }
          }
        }
      }
    },
    plugins: [nonBusiness]
  });
})();
