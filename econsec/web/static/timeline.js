// The search page's timeline: events a month by category, as stacked bars (uPlot).
// The data comes from the page's JSON block (#timeline-data), never from markup.
(function () {
  "use strict";
  var source = document.getElementById("timeline-data");
  var target = document.getElementById("timeline-chart");
  if (!source || !target || typeof uPlot === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.months.length || !data.series.length) {
    return;
  }
  var palette = ["#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#8d99ae"];
  var xs = data.months.map(function (month) {
    return Date.parse(month + "T00:00:00Z") / 1000;
  });
  // Each bar is drawn at the height of its own count plus every count stacked below it,
  // widest first; the legend shows the count itself.
  var below = xs.map(function () { return 0; });
  var tops = [];
  for (var i = data.series.length - 1; i >= 0; i--) {
    below = below.map(function (sum, j) { return sum + data.series[i].counts[j]; });
    tops[i] = below.slice();
  }
  var bars = uPlot.paths.bars({ size: [0.75, 48] });
  var series = [{ label: "month", value: function (u, ts) {
    return ts == null ? "all" : new Date(ts * 1000).toISOString().slice(0, 7);
  } }];
  data.series.forEach(function (one, k) {
    var colour = one.name === "other" ? "#adb5bd" : palette[k % palette.length];
    var total = one.counts.reduce(function (sum, n) { return sum + n; }, 0);
    series.push({
      label: one.name.replace(/_/g, " "),
      fill: colour,
      stroke: colour,
      width: 0,
      paths: bars,
      points: { show: false },
      value: function (u, raw, s, idx) {
        return String(idx == null ? total : one.counts[idx]);
      },
    });
  });
  // Half a month either side, so that the first and last bars show whole (and one month
  // alone is not stretched over years).
  function padded(u, min, max) {
    var half = 15 * 86400;
    return [min - half, max + half];
  }
  function width() {
    return Math.max(320, target.clientWidth || 800);
  }
  var chart = new uPlot(
    {
      width: width(),
      height: 240,
      series: series,
      // Counts start at 0 and step by whole events: bars that float, or an axis at 0.5,
      // misread a count.
      scales: {
        x: { time: true, range: padded },
        y: {
          range: function (u, min, max) {
            return [0, Math.max(1, Math.ceil(max * 1.1))];
          },
        },
      },
      axes: [{}, { label: "events", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] }],
      cursor: { points: { show: false } },
    },
    [xs].concat(tops),
    target
  );
  target.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () {
    chart.setSize({ width: width(), height: 240 });
  });
})();
