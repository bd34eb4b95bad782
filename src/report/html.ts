// HTML renderer: one self-contained, offline page (uPlot and its CSS inlined, data embedded as
// JSON, a CSP that forbids any network fetch). Pure apart from reading uPlot's dist files once.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { analyzeRun } from '../analysis/analyze-run.js';
import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { comparisonHeader, comparisonRows, describeComparison, verdictLines } from './comparison-rows.js';
import { hasUntrusted, TRUST_LEGEND } from './trust-marks.js';
import { emulationLines } from './emulation-text.js';
import { HTML_CLIENT_SCRIPT } from './html-client.js';
import { buildCharts } from './html-data.js';
import { FAULT_EVENT_HEADER, faultEventRows } from './fault-events.js';
import { decisionHtml, DECISION_STYLE } from './decision-html.js';
import { WHATIF_CLIENT_SCRIPT } from './whatif-client.js';
import { rehearsalNote } from './rehearsal-note.js';

let uplotAssets: { js: string; css: string } | undefined;

/** uPlot's minified IIFE build and CSS, read from node_modules on first use. */
export function loadUplot(): { js: string; css: string } {
  if (uplotAssets === undefined) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a <script> element: no `</script>`, no HTML comment openers. */
/** JSON.stringify replacer for the counters dump: a list of setup stamps is shown by its length (the setup breakdown has them joined). */
const withoutStampLists = (key: string, value: unknown): unknown => (key === 'setupStamps' && Array.isArray(value) ? `${value.length} setup stamps (joined in the setup steps table)` : value);
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, ' ');

function table(rows: readonly (readonly string[])[], isHeaderRow = true): string {
  const [head, ...body] = rows;
  const th = head === undefined || !isHeaderRow ? '' : `<thead><tr>${head.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
  const data = isHeaderRow ? body : rows;
  return `<table>${th}<tbody>${data.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function stepsTable(result: RunResult): string {
  const rows = result.steps.map((s) => {
    if (s.status === 'failed') return [s.stepId, String(s.repetition ?? 0), s.status, '', '', '', `${s.error.code}: ${s.error.message}`];
    const c = s.metrics.counters;
    const errors = Object.entries(c.errors).map(([k, v]) => `${k}=${v}`).join(', ');
    return [s.stepId, String(s.repetition ?? 0), s.status, c.transactions.toLocaleString('en-US'), c.roundTrips.toLocaleString('en-US'),
      `${c.bytesSent.toLocaleString('en-US')} / ${c.bytesReceived.toLocaleString('en-US')}`, errors === '' ? '0' : errors];
  });
  return table([['step', 'rep', 'status', 'transactions', 'round trips', 'bytes sent / received', 'errors'], ...rows]);
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.warn{color:#a15c00}.chart{margin:1em 0;min-height:360px}
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}.muted{color:#666}`;

/** The whole report page. */
export function renderHtml(result: RunResult, options: { analysis?: RunAnalysis } = {}): string {
  const analysis = options.analysis ?? analyzeRun(result);
  const charts = buildCharts(result, analysis);
  const { js, css } = loadUplot();
  const title = `hcbench · ${result.scenario.name} · ${result.status}`;
  const env = result.environment;
  const decision = decisionHtml(result, analysis);
  const sections: string[] = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(result.scenario.description)}</p>`,
    rehearsalNote(result) === undefined ? '' : `<p><strong>${escapeHtml(rehearsalNote(result) ?? '')}</strong></p>`,
    `<p class="muted">${escapeHtml(`${result.startedAt} – ${result.finishedAt} · ${result.scenario.file}`)}</p>`,
    decision?.html ?? '',
    `<ul>${verdictLines(analysis).map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>`,
    `<ul class="muted">${emulationLines(result).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`,
    analysis.warnings.length === 0 ? '' : `<ul class="warn">${analysis.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`,
    '<h2>Relay against direct</h2>',
    ...analysis.comparisons.map(
      (c) => `<h3>${escapeHtml(c.key)}</h3><p class="muted">${escapeHtml(describeComparison(c, result))}</p>` +
        table([comparisonHeader(analysis.confidence, c), ...comparisonRows(c, result.steps)]),
    ),
    analysis.comparisons.length > 0 && hasUntrusted(result.steps) ? `<p class="muted">${escapeHtml(TRUST_LEGEND)}</p>` : '',
    '<h2>Charts</h2>',
    ...charts.map((c) => `<div class="chart" id="${escapeHtml(c.id)}"></div>`),
    result.thresholds === undefined || result.thresholds.length === 0
      ? ''
      : '<h2>Thresholds</h2>' + table([['threshold', 'subject', 'status', 'message'], ...result.thresholds.map((t) => [t.threshold, t.subject, t.status, t.message])]),
    '<h2>Steps, counters and errors</h2>',
    stepsTable(result),
    faultEventRows(result).length === 0 ? '' : '<h2>Fault events</h2>' + table([[...FAULT_EVENT_HEADER], ...faultEventRows(result)]),
    '<h2>Scenario and topology</h2>',
    table([['hcbench', env.hcbenchVersion], ['Node', env.nodeVersion], ['CPU', `${env.cpuCount} × ${env.cpuModel}`],
      ...Object.entries(env.roles).map(([role, where]) => [`role ${role}`, where]),
      ...Object.entries(env.libraries).map(([name, version]) => [name, version])], false),
    result.topology === undefined ? '' : `<h3>topology (network profile, paths, target)</h3><pre>${escapeHtml(JSON.stringify(result.topology, null, 2))}</pre>`,
    result.pathCounters === undefined || Object.keys(result.pathCounters).length === 0
      ? ''
      : `<h3>path counters (every path, by id)</h3><pre>${escapeHtml(JSON.stringify(result.pathCounters, withoutStampLists, 2))}</pre>`,
    `<h3>scenario (resolved)</h3><pre>${escapeHtml(JSON.stringify(result.scenario.resolved, null, 2))}</pre>`,
    `<h2>Method</h2><ul>${analysis.methods.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style><style>${STYLE}${DECISION_STYLE}</style>
</head><body>
${sections.filter((s) => s !== '').join('\n')}
<script id="hcbench-data" type="application/json">${scriptJson(charts)}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${HTML_CLIENT_SCRIPT}</script>
${decision === null ? '' : `<script id="hcbench-whatif" type="application/json">${scriptJson(decision.whatIf)}</script>\n<script>${WHATIF_CLIENT_SCRIPT}</script>`}
</body></html>
`;
}
