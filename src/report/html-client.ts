// The browser-side script of the HTML report, as text: reads the embedded chart data and draws
// each chart with the inlined uPlot. Runs offline; touches nothing outside its page.

/** Plain ES2017 run in the page after uPlot is defined. Exposes `window.hcbenchCharts` for tests. */
export const HTML_CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var charts = JSON.parse(document.getElementById('hcbench-data').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  var pathColours = {};
  function colourOf(path) {
    if (!(path in pathColours)) pathColours[path] = palette[Object.keys(pathColours).length % palette.length];
    return pathColours[path];
  }
  function ninesLabel(v) {
    if (v > 5.25) return 'max';
    var p = 100 * (1 - Math.pow(10, -v));
    return (Math.round(p * 1000) / 1000) + '%';
  }
  var drawn = [];
  charts.forEach(function (spec) {
    var host = document.getElementById(spec.id);
    if (!host) return;
    var width = Math.max(320, Math.min(960, host.clientWidth || 960));
    var series = [{ label: spec.xLabel, value: spec.kind === 'nines' ? function (u, v) { return v == null ? '' : ninesLabel(v); } : undefined }];
    spec.series.forEach(function (s) {
      var colour = colourOf(s.path);
      series.push({
        label: s.label,
        stroke: colour,
        width: s.isPoints ? 0 : 2,
        dash: s.isDashed ? [6, 4] : undefined,
        points: { show: !!s.isPoints || spec.kind !== 'nines', size: s.isPoints ? 8 : 4, fill: colour, stroke: colour },
        spanGaps: true,
        value: function (u, v) { return v == null ? '–' : v.toFixed(3) + ' ms'; },
      });
    });
    var opts = {
      title: spec.title,
      width: width,
      height: 320,
      series: series,
      scales: {
        x: { time: false },
        y: { distr: spec.kind === 'nines' ? 3 : 1 },
      },
      axes: [
        { label: spec.xLabel, values: spec.kind === 'nines' ? function (u, vals) { return vals.map(ninesLabel); } : undefined,
          splits: spec.kind === 'nines' ? function () { return [0, 1, 2, 3, 4, 5, 5.5]; } : undefined },
        { label: spec.yLabel },
      ],
    };
    var plot = new uPlot(opts, spec.data, host);
    drawn.push({ id: spec.id, series: spec.series.map(function (s) { return s.label; }), paths: spec.series.map(function (s) { return s.path; }), plot: plot });
  });
  window.hcbenchCharts = drawn;
})();
`;
