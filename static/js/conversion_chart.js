/* Review-page chart (Debenture 4(A) / SPA 1(b)(ix)): closing bids around the Conversion Date,
   the look-back window shaded, the bids used marked, the fixed and discounted prices as lines.
   Data comes from the page via json_script (#conversion-chart-data); no network requests. */
(function () {
  "use strict";
  var dataEl = document.getElementById("conversion-chart-data");
  var canvas = document.getElementById("conversion-chart");
  if (!dataEl || !canvas || typeof Chart === "undefined") { return; }
  var d = JSON.parse(dataEl.textContent);
  var num = function (v) { return v === null ? null : Number(v); };
  var flat = function (v) { return d.labels.map(function () { return Number(v); }); };
  var first = d.lookback.indexOf(true);
  var last = d.lookback.lastIndexOf(true);

  var shadeLookback = {
    id: "shadeLookback",
    beforeDatasetsDraw: function (chart) {
      if (first < 0) { return; }
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var half = (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2 || 10;
      var left = x.getPixelForValue(first) - half, right = x.getPixelForValue(last) + half;
      ctx.save();
      ctx.fillStyle = "rgba(255, 193, 7, 0.18)";
      ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      ctx.fillStyle = "rgba(108, 117, 125, 0.9)";
      ctx.font = "11px sans-serif";
      ctx.fillText("look-back window", left + 4, area.top + 12);
      var cx = x.getPixelForValue(d.conversion_index);
      ctx.strokeStyle = "rgba(13, 110, 253, 0.7)";
      ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.moveTo(cx, area.top); ctx.lineTo(cx, area.bottom); ctx.stroke();
      ctx.fillText("Conversion Date " + d.conversion_date, Math.min(cx + 4, area.right - 140), area.bottom - 6);
      ctx.restore();
    }
  };

  new Chart(canvas, {
    type: "line",
    data: {
      labels: d.labels,
      datasets: [
        { label: "Closing bid", data: d.bids.map(num), borderColor: "#212529", backgroundColor: "#212529", pointRadius: 2, spanGaps: false, tension: 0 },
        { label: "Used in the Market Price", data: d.used.map(num), showLine: false, pointRadius: 6, pointStyle: "rectRot", borderColor: "#fd7e14", backgroundColor: "#fd7e14" },
        { label: "Fixed price $" + d.fixed_price, data: flat(d.fixed_price), borderColor: "#198754", borderDash: [6, 4], pointRadius: 0, borderWidth: 2 },
        { label: d.discount_pct.replace(/\.0+$/, "") + "% of Market Price $" + d.discounted_price, data: flat(d.discounted_price), borderColor: "#dc3545", borderDash: [2, 3], pointRadius: 0, borderWidth: 2 }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxRotation: 60, autoSkip: true, maxTicksLimit: 14 } },
        y: { title: { display: true, text: "$ per share" } }
      },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } }
    },
    plugins: [shadeLookback]
  });
  canvas.setAttribute("data-rendered", "1");
})();
