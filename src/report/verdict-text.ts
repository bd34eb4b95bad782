// The decision block of the text reports (console, Markdown) and its sentences, shared with the
// HTML page: verdict first (relay cost per transaction at p50 and p99 over the direct path, setup,
// throughput ceiling, budget met or missed with its margin, round trips that fit), one sentence to
// paste into a design review with its caveats, relay placements ranked, and a text waterfall.
// Pure: result and analysis in, strings out.

import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { computeVerdicts, type RelayCost, type Verdict, type VerdictPath } from '../analysis/verdict.js';
import { computeWaterfalls, type PathWaterfall, type SegmentKind } from '../analysis/waterfall.js';
import { formatDeltaUs, formatEstimateUs, formatRatioEstimate, formatSetupSample, formatUs, renderTable } from './format.js';
import { handshakeNote } from './handshake-note.js';
import { marked } from './trust-marks.js';
import { rehearsalNote } from './rehearsal-note.js';
import { variantRows, variantsTitle } from './verdict-variants.js';

const pct = (p: number | null): string => (p === null || !Number.isFinite(p) ? '' : ` (${p >= 0 ? '+' : ''}${Math.round(p)} %)`);
const ms = (value: number): string => `${value.toFixed(Math.abs(value) < 10 ? 1 : 0)} ms`;

/** `relay-north-europe (relay in North Europe)`. */
export function pathName(p: VerdictPath): string {
  return p.relayRegion === undefined ? p.pathId : `${p.pathId} (relay in ${p.relayRegion})`;
}

/** `meets the 60 ms budget by 43 ms` / `misses it by 22 ms`. */
export function budgetPhrase(p: VerdictPath, budgetMs: number): string {
  if (p.budget === undefined) return '';
  return p.budget.meets ? `meets ${ms(budgetMs)} with ${ms(p.budget.marginMs)} to spare` : `misses ${ms(budgetMs)} by ${ms(-p.budget.marginMs)}`;
}

/** The caveats every verdict carries: what kind of relay, the emulation error per path, n. */
export function caveats(verdict: Verdict, result: RunResult): string {
  const kinds = new Set(verdict.paths.map((p) => p.kind));
  const rehearsal = rehearsalNote(result);
  const relay = rehearsal !== undefined
    ? rehearsal
    : kinds.has('relay-azure')
    ? 'measured through a real Azure Relay namespace'
    : 'emulated relay (hcbench\'s emulator and endpoints on one machine, with the distances injected as delays; not Azure\'s relay)';
  const errors = verdict.paths.map((p) => {
    const e = result.emulation?.[p.pathId];
    const us = e?.calibrated?.roundTripErrorUs ?? (e?.measured === true ? e.roundTripErrorUs : undefined);
    return us === undefined ? undefined : `${p.pathId} ${us >= 0 ? '+' : ''}${formatUs(us)}`;
  }).filter((x): x is string => x !== undefined);
  const emulation = errors.length === 0 ? 'emulation error not measured' : `emulation error per round trip ${errors.join(', ')}`;
  const untrusted = verdict.paths.some((p) => p.isUntrusted) ? '; † marks figures the load generator\'s own timing error spoils' : '';
  return `${relay}; ${emulation}; n = ${verdict.n} repetition${verdict.n === 1 ? '' : 's'} of ${verdict.measuredSeconds.toFixed(1)} s per path${untrusted}`;
}

/** Open model: what the sentence adds about the wait from the intended start. */
function waited(cost: RelayCost): string {
  const rt = cost.responseTime;
  if (rt === null) return '';
  return ` Counted from each transaction's intended start (waiting for a pooled connection included), it adds ${marked(formatEstimateUs(rt.p50.deltaUs), rt.isUntrusted)} at p50 and ${marked(formatEstimateUs(rt.p99.deltaUs), rt.isUntrusted)} at p99.`;
}

/** The one sentence for a design review. */
export function verdictSentence(verdict: Verdict, result: RunResult): string {
  const direct = verdict.paths[0];
  const best = verdict.paths[1];
  const cost = verdict.relays[0];
  if (direct === undefined || best === undefined || cost === undefined) return '';
  const k = verdict.roundTripsPerTransaction;
  const budget =
    verdict.budgetMs === null
      ? ''
      : ` Against the ${ms(verdict.budgetMs)} p99 budget, VNet integration ${budgetPhrase(direct, verdict.budgetMs)} and the Hybrid Connection ${budgetPhrase(best, verdict.budgetMs)}.`;
  return (
    `For ${verdict.key} (${k} round trip${k === 1 ? '' : 's'} per transaction), a Hybrid Connection via ${pathName(best)} adds ` +
    `${marked(formatEstimateUs(cost.p50.deltaUs), direct.isUntrusted || best.isUntrusted)}${pct(cost.p50.percent)} per transaction at p50 and ` +
    `${marked(formatEstimateUs(cost.p99.deltaUs), direct.isUntrusted || best.isUntrusted)}${pct(cost.p99.percent)} at p99 over VNet integration (${direct.pathId}).${waited(cost)}${budget} ` +
    `Caveats: ${caveats(verdict, result)}.`
  );
}

/**
 * Connection setup over direct: a `connect` figure plus the rendezvous that follows it on the relay
 * path, minus the direct path's TCP handshake, which its delay proxy holds after a local connect.
 */
function setupPhrase(cost: RelayCost): string {
  const setup = cost.connectionSetup;
  const paid = 'without pooling every transaction pays it';
  if (setup === null) return 'connection setup not timed';
  const timed = Math.min(setup.connections.direct, setup.connections.relay);
  if (setup.metric === 'firstByte') return `connection setup ${formatEstimateUs(setup.deltaUs)} (first byte on a new connection, p50 ${formatSetupSample(timed)}; ${paid})`;
  const held = cost.directHandshakeUs > 0 ? ` − direct's held TCP round trip ${formatUs(cost.directHandshakeUs)}` : '';
  if (cost.rendezvousP50Us === null) {
    if (held === '') return `connection setup ${formatEstimateUs(setup.deltaUs)} (TCP connect, p50 ${formatSetupSample(timed)}; rendezvous not recorded; ${paid})`;
    return `connection setup ≈ ${formatDeltaUs(setup.deltaUs.value - cost.directHandshakeUs)} (TCP connect ${formatEstimateUs(setup.deltaUs)}${held}, p50 ${formatSetupSample(timed)}; rendezvous not recorded; ${paid})`;
  }
  return (
    `connection setup ≈ ${formatDeltaUs(setup.deltaUs.value + cost.rendezvousP50Us - cost.directHandshakeUs)} (TCP connect ${formatEstimateUs(setup.deltaUs)} + relay rendezvous ${formatUs(cost.rendezvousP50Us)}${held}, ` +
    `p50 each ${formatSetupSample(Math.min(timed, cost.rendezvousConnections))}; ${paid})`
  );
}

function costLine(cost: RelayCost, path: VerdictPath, directUntrusted: boolean): string {
  const setup = setupPhrase(cost);
  const throughput = cost.throughput.isCeiling
    ? `throughput ceiling ${formatRatioEstimate(cost.throughput.ratio)} of direct (closed load)`
    : 'throughput ceiling not measured (paced load: both paths carried the offered rate)';
  const untrusted = directUntrusted || path.isUntrusted;
  const rt = cost.responseTime;
  const response = rt === null ? ''
    : `; response time from the intended start (waiting for a pooled connection included) ${marked(formatEstimateUs(rt.p50.deltaUs), rt.isUntrusted)}${pct(rt.p50.percent)} at p50, ` +
      `${marked(formatEstimateUs(rt.p99.deltaUs), rt.isUntrusted)}${pct(rt.p99.percent)} at p99`;
  return `${pathName(path)}: ${marked(formatEstimateUs(cost.p50.deltaUs), untrusted)}${pct(cost.p50.percent)} per transaction at p50, ` +
    `${marked(formatEstimateUs(cost.p99.deltaUs), untrusted)}${pct(cost.p99.percent)} at p99; ${setup}; ${throughput}${response}`;
}

function budgetLine(p: VerdictPath, budgetMs: number): string {
  const source = p.model?.source ?? 'model';
  const fits =
    p.maxRoundTrips === undefined ? ''
    : p.maxRoundTrips === 0 ? `; not even one round trip per transaction fits (${source})`
    : `; up to ${p.maxRoundTrips} round trip${p.maxRoundTrips === 1 ? '' : 's'} per transaction fit (${source})`;
  return `${pathName(p)}: p99 ${marked(formatUs(p.transactionP99Us), p.isUntrusted)} ${budgetPhrase(p, budgetMs)}${fits}`;
}

/** The decision block's last line starts with this, then the pasteable sentence. */
export const SENTENCE_PREFIX = 'in one sentence: ';

const BAR_CHARS: Record<SegmentKind, string> = { distance: '=', service: 's', forwarder: 'f', agent: 'a', rendezvous: 'r', 'emulation-error': 'e', rest: '#' };
const BAR_WIDTH = 48;

/** One text bar per path, scaled to the slowest path, with a legend. */
export function waterfallLines(waterfalls: readonly PathWaterfall[]): string[] {
  const max = Math.max(1, ...waterfalls.map((w) => Math.max(w.totalUs, w.segments.reduce((s, x) => s + x.us, 0))));
  const width = Math.max(...waterfalls.map((w) => w.pathId.length));
  const lines = waterfalls.map((w) => {
    let carry = 0;
    const bar = w.segments.map((s) => {
      const exact = (s.us / max) * BAR_WIDTH + carry;
      const n = Math.round(exact);
      carry = exact - n;
      return BAR_CHARS[s.kind].repeat(Math.max(0, n));
    }).join('');
    const over = w.overshootUs > 0 ? ` (parts exceed the mean by ${formatUs(w.overshootUs)})` : '';
    return `${w.pathId.padEnd(width)} |${bar.padEnd(BAR_WIDTH)}| ${formatUs(w.totalUs)} mean${over}`;
  });
  const used = new Set(waterfalls.flatMap((w) => w.segments.filter((s) => s.us > 0).map((s) => s.kind)));
  const labels = new Map(waterfalls.flatMap((w) => w.segments.map((s) => [s.kind, s.label] as const)));
  const legend = [...used].map((kind) => `${BAR_CHARS[kind]} ${kind === 'distance' ? 'distance (configured legs)' : labels.get(kind) ?? kind}`).join(', ');
  return [...lines, `  ${legend}`];
}

/** Which variant the detailed block is for, and why, when the run compared several. */
export function detailNote(verdicts: readonly Verdict[]): string {
  return verdicts.length < 2 ? '' : `the first of ${verdicts.length} compared variants in detail (scenario order); every variant's verdict below`;
}

/** The decision block: empty when the run compared nothing. */
export function decisionLines(result: RunResult, analysis: RunAnalysis): string[] {
  const verdicts = computeVerdicts(result, analysis);
  const verdict = verdicts[0];
  if (verdict === undefined) return [];
  const direct = verdict.paths[0];
  const note = detailNote(verdicts);
  const lines = [`decision · ${verdict.key} · ${verdict.roundTripsPerTransaction} round trip${verdict.roundTripsPerTransaction === 1 ? '' : 's'} per transaction${note === '' ? '' : ` · ${note}`}`];
  if (verdicts.length > 1) lines.push(variantsTitle(verdicts), ...renderTable(variantRows(verdicts)).split('\n').map((l) => `  ${l}`));
  verdict.relays.forEach((cost, i) => {
    const path = verdict.paths[i + 1];
    if (path !== undefined) lines.push(costLine(cost, path, direct?.isUntrusted === true));
  });
  lines.push(...handshakeNote(verdict, result));
  if (verdict.budgetMs !== null) {
    lines.push(`budget ${ms(verdict.budgetMs)} per transaction at p99:`);
    for (const p of verdict.paths) lines.push(`  ${budgetLine(p, verdict.budgetMs)}`);
  }
  if (verdict.relays.length > 1) {
    lines.push('relay placements, best first:');
    const rows = verdict.paths.slice(1).map((p, i) => [
      `${i + 1}. ${p.pathId}`, p.relayRegion ?? '–', formatUs(p.transactionP50Us), formatUs(p.transactionP99Us),
      formatEstimateUs(verdict.relays[i]?.p99.deltaUs ?? { value: NaN, interval: null }), p.budget === undefined ? '–' : `${p.budget.marginMs >= 0 ? '+' : ''}${ms(p.budget.marginMs)}`,
    ]);
    lines.push(...renderTable([['', 'relay region', 'tx p50', 'tx p99', 'Δ p99 vs direct', 'budget margin'], ...rows]).split('\n').map((l) => `  ${l}`));
  }
  lines.push('where a transaction\'s time goes (mean):', ...waterfallLines(computeWaterfalls(result, verdict)).map((l) => `  ${l}`));
  lines.push(`${SENTENCE_PREFIX}${verdictSentence(verdict, result)}`);
  return lines;
}
