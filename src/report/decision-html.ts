// The decision page's HTML: the verdict first (the pasteable sentence, relay costs, budget),
// relay placements ranked, a stacked bar per path of where a transaction's time goes, and the
// what-if form whose figures whatif-client.ts recomputes offline. Pure: returns markup and data.

import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { computeVerdicts } from '../analysis/verdict.js';
import { computeWaterfalls, WATERFALL_METHOD, type PathWaterfall, type SegmentKind } from '../analysis/waterfall.js';
import { formatEstimateUs, formatUs } from './format.js';
import { decisionLines, detailNote, pathName, SENTENCE_PREFIX, verdictSentence } from './verdict-text.js';
import { variantRows } from './verdict-variants.js';
import { marked } from './trust-marks.js';
import { whatIfData, type WhatIfData } from './whatif-data.js';

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Segment colours of the stacked bars. */
const COLOURS: Record<SegmentKind, string> = {
  distance: '#4e79a7', service: '#59a14f', forwarder: '#f28e2b', agent: '#edc948', rendezvous: '#b07aa1', 'emulation-error': '#bab0ac', rest: '#e15759',
};

export const DECISION_STYLE = `
#decision .sentence{font-size:1.05em;background:#f3f7fb;border-left:4px solid #4e79a7;padding:.6em 1em}
.bar{display:flex;height:22px;width:100%;background:#f4f4f4;margin:.2em 0}.bar span{display:block;height:100%}
.bar-row{display:grid;grid-template-columns:12em 1fr 17em;gap:.6em;align-items:center}.legend span{display:inline-block;margin-right:1em}
.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
#whatif-form{display:grid;grid-template-columns:repeat(auto-fill,minmax(14em,1fr));gap:.6em 1.2em;margin:.8em 0}#whatif-form label{display:flex;flex-direction:column;font-size:.9em}`;

function waterfallHtml(waterfalls: readonly PathWaterfall[]): string {
  const max = Math.max(1, ...waterfalls.map((w) => Math.max(w.totalUs, w.segments.reduce((s, x) => s + x.us, 0))));
  const rows = waterfalls.map((w) => {
    const spans = w.segments
      .filter((s) => s.us > 0)
      .map((s) => `<span class="seg seg-${s.kind}" data-us="${Math.round(s.us)}" title="${esc(`${s.label}: ${formatUs(s.us)}`)}" style="width:${((100 * s.us) / max).toFixed(3)}%;background:${COLOURS[s.kind]}"></span>`)
      .join('');
    const over = w.overshootUs > 0 ? ` <small class="muted">(parts exceed it by ${esc(formatUs(w.overshootUs))})</small>` : '';
    return `<div class="bar-row" data-path="${esc(w.pathId)}"><span>${esc(w.pathId)}</span><div class="bar">${spans}</div><span>${esc(formatUs(w.totalUs))} mean${over}</span></div>`;
  });
  const labels = new Map(waterfalls.flatMap((w) => w.segments.filter((s) => s.us > 0).map((s) => [s.kind, s.kind === 'distance' ? 'distance (configured legs; hover for each)' : s.label] as const)));
  const legend = [...labels].map(([kind, label]) => `<span><i style="background:${COLOURS[kind]}"></i>${esc(label)}</span>`).join('');
  return `<div id="waterfall">${rows.join('')}<p class="legend">${legend}</p><p class="muted">${esc(WATERFALL_METHOD)}</p></div>`;
}

function select(id: string, label: string, regions: readonly string[], chosen: string, empty: string): string {
  const options = [`<option value=""${chosen === '' ? ' selected' : ''}>${esc(empty)}</option>`, ...regions.map((r) => `<option${r === chosen ? ' selected' : ''}>${esc(r)}</option>`)];
  return `<label>${esc(label)}<select id="${id}">${options.join('')}</select></label>`;
}

function whatIfHtml(data: WhatIfData): string {
  const p = data.placement;
  const rows = data.paths.map((x) => `<tr><td>${esc(x.pathId)}</td><td id="whatif-rtt-${esc(x.pathId)}"></td><td id="whatif-mean-${esc(x.pathId)}"></td><td id="whatif-p99-${esc(x.pathId)}"></td>${data.budgetMs === null ? '' : `<td id="whatif-budget-${esc(x.pathId)}"></td>`}</tr>`);
  return (
    '<h2>What if</h2>' +
    `<p class="muted">${esc(`Your protocol and placement, projected from this run's measured model of ${data.key} (fixed cost a + per-round-trip cost b·k, measured at k = ${data.kMin === data.kMax ? data.kMin : `${data.kMin}–${data.kMax}`}); distances from Azure's published P95 region round trips.`)}</p>` +
    '<form id="whatif-form" onsubmit="return false">' +
    `<label>round trips per transaction<input id="whatif-k" type="number" min="1" max="100000" step="1" value="${data.k}"></label>` +
    select('whatif-app', 'app region', data.regions, p?.app ?? '', '(as measured)') +
    select('whatif-relay', 'relay region', data.regions, '', p === null ? '(as measured)' : '(each path\'s own)') +
    select('whatif-site', 'site\'s nearest region', data.regions, p?.site ?? '', '(as measured)') +
    `<label>site's own leg, one way, ms<input id="whatif-site-ms" type="number" min="0" max="10000" step="0.5" value="${p?.siteOneWayDelayMs ?? 0}"></label>` +
    `<label>scale on region P95<input id="whatif-scale" type="number" min="0.01" max="10" step="0.05" value="${p?.p95Scale ?? 1}"></label>` +
    '<label><span><input id="whatif-pooling" type="checkbox" checked> pooled connections</span></label>' +
    '</form>' +
    `<table id="whatif-table"><thead><tr><th>path</th><th>network RTT</th><th>transaction mean</th><th>p99 estimate</th>${data.budgetMs === null ? '' : `<th>budget ${esc(String(data.budgetMs))} ms</th>`}</tr></thead><tbody>${rows.join('')}</tbody></table>` +
    '<ul id="whatif-notes" class="muted"></ul>'
  );
}

/** Every compared variant's verdict (only when there are several). */
function variantsHtml(verdicts: Parameters<typeof variantRows>[0]): string {
  if (verdicts.length < 2) return '';
  const [header = [], ...rows] = variantRows(verdicts);
  const tr = (cells: readonly string[], tag: 'td' | 'th') => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<h3>Every compared variant</h3><table id="verdict-variants"><thead>${tr(header, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

/** The decision section and the what-if data to embed; null when the run compared nothing. */
export function decisionHtml(result: RunResult, analysis: RunAnalysis): { html: string; whatIf: WhatIfData } | null {
  const verdicts = computeVerdicts(result, analysis);
  const verdict = verdicts[0];
  if (verdict === undefined) return null;
  const lines = decisionLines(result, analysis).filter((l) => !l.startsWith(SENTENCE_PREFIX) && !l.startsWith('  ') && !l.endsWith(':')).slice(1);
  const budget = verdict.budgetMs === null ? '' : '<table id="verdict-budget"><thead><tr><th>path</th><th>transaction p99</th><th>budget</th><th>margin</th><th>round trips that fit</th></tr></thead><tbody>' +
    verdict.paths.map((p) => `<tr data-path="${esc(p.pathId)}"><td>${esc(pathName(p))}</td><td>${esc(marked(formatUs(p.transactionP99Us), p.isUntrusted))}</td><td>${p.budget?.meets === true ? 'meets' : 'misses'}</td><td>${esc(`${(p.budget?.marginMs ?? 0) >= 0 ? '+' : ''}${(p.budget?.marginMs ?? 0).toFixed(1)} ms`)}</td><td>${p.maxRoundTrips ?? '–'}</td></tr>`).join('') +
    `</tbody></table><p class="muted">${esc(verdict.budgetMethod)}</p>`;
  const ranking = verdict.relays.length < 2 ? '' : '<h3>Relay placements, best first</h3><table id="verdict-ranking"><thead><tr><th>#</th><th>path</th><th>relay region</th><th>tx p50</th><th>tx p99</th><th>Δ p99 vs direct</th></tr></thead><tbody>' +
    verdict.paths.slice(1).map((p, i) => `<tr><td>${i + 1}</td><td>${esc(p.pathId)}</td><td>${esc(p.relayRegion ?? '–')}</td><td>${esc(formatUs(p.transactionP50Us))}</td><td>${esc(formatUs(p.transactionP99Us))}</td><td>${esc(formatEstimateUs(verdict.relays[i]?.p99.deltaUs ?? { value: NaN, interval: null }))}</td></tr>`).join('') +
    '</tbody></table>';
  const whatIf = whatIfData(result, analysis, verdict);
  const html =
    `<section id="decision"><h2>Decision: ${esc(verdict.key)}</h2>` +
    (verdicts.length < 2 ? '' : `<p class="muted" id="verdict-detail">${esc(detailNote(verdicts))}</p>`) +
    `<p class="sentence" id="verdict-sentence">${esc(verdictSentence(verdict, result))}</p>` +
    `<ul id="verdict-lines">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>${budget}${ranking}${variantsHtml(verdicts)}` +
    `<h3>Where a transaction's time goes</h3>${waterfallHtml(computeWaterfalls(result, verdict))}` +
    `${whatIfHtml(whatIf)}</section>`;
  return { html, whatIf };
}
