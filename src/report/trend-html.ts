// `hcbench trend --html`: one offline page (uPlot inlined as in the HTML report, data embedded as
// JSON, a CSP that forbids any network fetch). Per scenario group one chart of the metric over
// the runs (x = run number in time order), each subject a line, its noise band (mean ± 2 sd over
// the runs) as two dashed lines, and a table that flags the runs compare calls regressed. Pure
// apart from reading uPlot once.

import type { TrendGroup } from '../analysis/trend.js';
import { loadUplot } from './html.js';
import { formatTrendValue, trendFlag } from './trend-text.js';

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, ' ');

/** What the page script draws, per group: x = run index, one value array per series. */
interface TrendChart {
  id: string;
  title: string;
  yLabel: string;
  /** uPlot data: x first, then one array per series (null = no value). */
  data: (number | null)[][];
  series: { label: string; isBand: boolean; colour: number; regressed: boolean[] }[];
}

/** Display scale of a unit: µs are drawn in ms. */
const SCALE: Record<TrendGroup['unit'], { factor: number; label: string }> = {
  us: { factor: 1 / 1000, label: 'ms' },
  fraction: { factor: 100, label: '%' },
  perSec: { factor: 1, label: 'per second' },
  ratio: { factor: 1, label: 'relay ÷ direct' },
  count: { factor: 1, label: 'count' },
};

function chartOf(group: TrendGroup, index: number, metric: string): TrendChart {
  const { factor, label } = SCALE[group.unit];
  const x = group.runs.map((_, i) => i + 1);
  const data: (number | null)[][] = [x];
  const series: TrendChart['series'] = [];
  const regressed = group.runs.map((run) => run.compare?.verdict === 'regressed');
  group.subjects.forEach((subject, colour) => {
    data.push(group.runs.map((run) => (run.values[subject] === null || run.values[subject] === undefined ? null : run.values[subject]! * factor)));
    series.push({ label: subject, isBand: false, colour, regressed });
    const spread = group.spread[subject];
    if (spread !== null && spread !== undefined) {
      for (const sign of [1, -1]) {
        data.push(x.map(() => (spread.mean + sign * 2 * spread.sd) * factor));
        series.push({ label: `${subject} noise band ${sign > 0 ? '+' : '−'}2 sd`, isBand: true, colour, regressed: [] });
      }
    }
  });
  return { id: `trend-${index}`, title: `${group.scenario}: ${metric}`, yLabel: label, data, series };
}

/** The page script: draws every chart with uPlot; exposes `window.hcbenchTrend` for tests. */
const CLIENT = String.raw`
(function () {
  'use strict';
  var charts = JSON.parse(document.getElementById('hcbench-trend').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  var drawn = [];
  charts.forEach(function (spec) {
    var host = document.getElementById(spec.id);
    if (!host) return;
    var series = [{ label: 'run' }];
    spec.series.forEach(function (s) {
      var colour = palette[s.colour % palette.length];
      series.push({
        label: s.label, stroke: colour, width: s.isBand ? 1 : 2, dash: s.isBand ? [4, 4] : undefined, spanGaps: true,
        points: s.isBand ? { show: false } : { show: true, size: 7, fill: colour, stroke: colour },
      });
    });
    var width = Math.max(320, Math.min(960, host.clientWidth || 960));
    var plot = new uPlot({ title: spec.title, width: width, height: 320, series: series, scales: { x: { time: false } },
      axes: [{ label: 'run (oldest first)' }, { label: spec.yLabel }] }, spec.data, host);
    drawn.push({ id: spec.id, series: spec.series.map(function (s) { return s.label; }), points: spec.data[0].length, plot: plot });
  });
  window.hcbenchTrend = drawn;
})();
`;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.regressed{color:#b00020;font-weight:600}.chart{margin:1em 0;min-height:360px}.muted{color:#666}`;

/** The trend page for `metric`; `notes` (skipped files) are listed at the end. */
export function renderTrendHtml(groups: readonly TrendGroup[], metric: string, notes: readonly string[]): string {
  const { js, css } = loadUplot();
  const charts = groups.map((group, i) => chartOf(group, i, metric));
  const sections = groups.map((group, i) => {
    const head = ['#', 'started', 'commit', ...group.subjects, 'vs previous run (compare)'];
    const rows = group.runs.map((run, r) => {
      const flag = trendFlag(run);
      const cells = [String(r + 1), run.startedAt, run.gitCommit?.slice(0, 10) ?? '–', ...group.subjects.map((s) => formatTrendValue(run.values[s], group.unit)), flag];
      return `<tr${run.compare?.verdict === 'regressed' ? ' class="regressed"' : ''}>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    });
    return `<h2>${escapeHtml(group.scenario)} <span class="muted">fingerprint ${escapeHtml(group.fingerprint)}</span></h2>
<div class="chart" id="trend-${i}"></div>
<table><thead><tr>${head.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  const title = `hcbench trend · ${metric}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style><style>${STYLE}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">Runs grouped by scenario and its fingerprint (what compare requires to be equal), oldest first. Dashed: the noise band, mean ± 2 sd over the group's runs. A run is flagged when compare against the run before it says regressed.</p>
${groups.length === 0 ? '<p>No hcbench results.</p>' : sections.join('\n')}
${notes.length === 0 ? '' : `<h2>Skipped</h2><ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`}
<script id="hcbench-trend" type="application/json">${scriptJson(charts)}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT}</script>
</body></html>
`;
}
