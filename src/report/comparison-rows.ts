// The side-by-side rows shared by the text renderers (console, Markdown): one PathComparison as
// cells, and the verdict sentences. Pure: strings in, strings out.

import type { FitComparison, PathComparison, Projection, RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult, StepResult } from '../metrics/result.js';
import { formatDeltaUs, formatEstimateMs, formatEstimateUs, formatRate, formatRatioEstimate, formatSetupSample, formatUs } from './format.js';
import { isUntrustedIn, marked } from './trust-marks.js';

/** Column headings of the comparison table: the two path ids, the delta with its CI level, the ratio. */
export function comparisonHeader(confidence: number, comparison: PathComparison): string[] {
  const n = comparison.repetitions.length;
  const delta = n < 2 ? `Δ (n=${n}, no CI)` : `Δ [${Math.round(confidence * 100)}% CI]`;
  return ['', comparison.directPathId, comparison.relayPathId, delta, 'ratio'];
}

type Measured = Extract<StepResult, { metrics: unknown }>;

const SHOWN: Record<string, readonly string[]> = {
  roundTrip: ['p50', 'p90', 'p99', 'p99.9', 'max'],
  transaction: ['p50', 'p90', 'p99', 'p99.9', 'max'],
  connect: ['p50', 'p99'],
  firstByte: ['p50', 'p99'],
  responseTime: ['p50', 'p99', 'max'],
  serviceTime: ['p50', 'p99'],
  poolWait: ['p50', 'p99', 'max'],
};

/** `12.5 MB/s` (decimal megabytes). */
function formatBytesPerSec(bytesPerSec: number): string {
  return `${(bytesPerSec / 1_000_000).toFixed(bytesPerSec < 10_000_000 ? 2 : 1)} MB/s`;
}

/**
 * Latency rows, throughput and counters (summed over repetitions) of one comparison. A figure the
 * generator's timing error spoils in any repetition carries the untrusted mark (trust-marks.ts).
 */
export function comparisonRows(comparison: PathComparison, steps: readonly StepResult[]): string[][] {
  const { key, directPathId, relayPathId } = comparison;
  const rows: string[][] = comparison.percentiles
    .filter((p) => SHOWN[p.metric]?.includes(p.percentile) === true)
    .map((p) => {
      const directBad = isUntrustedIn(steps, key, directPathId, p.metric, p.percentile);
      const relayBad = isUntrustedIn(steps, key, relayPathId, p.metric, p.percentile);
      return [
        `${p.metric} ${p.percentile}`,
        marked(formatUs(p.directUs), directBad),
        marked(formatUs(p.relayUs), relayBad),
        marked(formatEstimateUs(p.deltaUs), directBad || relayBad),
        formatRatioEstimate(p.ratio),
      ];
    });
  const t = comparison.throughput;
  const rateBad = (pathId: string) => isUntrustedIn(steps, key, pathId, 'transactionsPerSec', '');
  rows.push([
    'transactions/s',
    marked(formatRate(t.directPerSec), rateBad(directPathId)),
    marked(formatRate(t.relayPerSec), rateBad(relayPathId)),
    formatRate(t.relayPerSec - t.directPerSec),
    formatRatioEstimate(t.ratio),
  ]);
  for (const s of comparison.streams) {
    rows.push([`${s.direction} bytes/s`, formatBytesPerSec(s.directBytesPerSec), formatBytesPerSec(s.relayBytesPerSec), '', formatRatioEstimate(s.ratio)]);
  }
  const sum = (pathId: string, pick: (s: Measured) => number): string => {
    let total = 0;
    for (const s of steps) if (s.status !== 'failed' && s.pathId === pathId && s.stepId.startsWith(`${comparison.key}@`)) total += pick(s);
    return total.toLocaleString('en-US');
  };
  const errors = (s: Measured) => Object.values(s.metrics.counters.errors).reduce((a, b) => a + (b ?? 0), 0);
  for (const [label, pick] of [
    ['transactions', (s: Measured) => s.metrics.counters.transactions],
    ['connections opened', (s: Measured) => s.metrics.counters.connectionsOpened],
    ['errors', errors],
  ] as const) {
    rows.push([label, sum(comparison.directPathId, pick), sum(comparison.relayPathId, pick), '', '']);
  }
  return rows;
}

/** `n=3 repetitions, 5.0 s measured per path and repetition`. */
export function describeComparison(comparison: PathComparison, result: RunResult): string {
  const step = result.steps.find((s) => s.status !== 'failed' && s.stepId.startsWith(`${comparison.key}@`));
  const durationMs = step !== undefined && step.status !== 'failed' ? step.metrics.durationMs : 0;
  const n = comparison.repetitions.length;
  return `${comparison.directPathId} vs ${comparison.relayPathId}, n=${n} repetition${n === 1 ? '' : 's'}, ${(durationMs / 1000).toFixed(1)} s measured per path`;
}

/** One row per compared variant: round trip p50 and p99 on both paths with the delta, throughput ratio (marked when untrusted). */
export function compactRows(analysis: RunAnalysis, steps: readonly StepResult[] = []): string[][] {
  const header = ['', 'rt p50 direct', 'relay', `Δ [${Math.round(analysis.confidence * 100)}% CI]`, 'rt p99 direct', 'relay', 'Δ', 'tx/s ÷'];
  const rows = analysis.comparisons.map((c) => {
    const p50 = c.percentiles.find((p) => p.metric === 'roundTrip' && p.percentile === 'p50');
    const p99 = c.percentiles.find((p) => p.metric === 'roundTrip' && p.percentile === 'p99');
    const cells = (p: typeof p50, isCi: boolean) => {
      if (p === undefined) return ['–', '–', '–'];
      const d = isUntrustedIn(steps, c.key, c.directPathId, p.metric, p.percentile);
      const r = isUntrustedIn(steps, c.key, c.relayPathId, p.metric, p.percentile);
      return [marked(formatUs(p.directUs), d), marked(formatUs(p.relayUs), r), marked(isCi ? formatEstimateUs(p.deltaUs) : formatDeltaUs(p.deltaUs.value), d || r)];
    };
    return [c.key, ...cells(p50, true), ...cells(p99, false), formatRatioEstimate(c.throughput.ratio === null ? null : { ...c.throughput.ratio, interval: null })];
  });
  return [header, ...rows];
}

/** The headline sentences a reader acts on; per-variant lines only when `isPerComparison` (default true). */
export function verdictLines(analysis: RunAnalysis, isPerComparison = true): string[] {
  const lines: string[] = [];
  for (const c of isPerComparison ? analysis.comparisons : []) {
    const rt = c.percentiles.find((p) => p.metric === 'roundTrip' && p.percentile === 'p50');
    const tx = c.percentiles.find((p) => p.metric === 'transaction' && p.percentile === 'p50');
    if (rt === undefined) continue;
    const note = rt.deltaUs.note === undefined ? '' : ` (${rt.deltaUs.note})`;
    const txText = tx === undefined ? '' : `, ${formatEstimateUs(tx.deltaUs)} per transaction`;
    lines.push(`${c.key}: ${c.relayPathId} adds ${formatEstimateUs(rt.deltaUs)} per round trip at p50 over ${c.directPathId} (${formatRatioEstimate(rt.ratio)})${txText}${note}`);
    if (c.connectionSetup !== null) {
      const label = c.connectionSetup.metric === 'firstByte' ? 'first byte on a new connection' : 'TCP connect';
      const { direct, relay } = c.connectionSetup.connections;
      const sample = formatSetupSample(Math.min(direct, relay), `${direct} ${c.directPathId} / ${relay} ${c.relayPathId}`);
      lines.push(`${c.key}: connection setup (${label}, p50 ${sample}) ${formatEstimateUs(c.connectionSetup.deltaUs)}`);
    }
  }
  for (const f of analysis.fits) lines.push(fitLine(f));
  if (analysis.projection !== null) lines.push(projectionLine(analysis.projection));
  return lines;
}

/** The round-trip fit as one sentence. */
export function fitLine(f: FitComparison): string {
  const ks = [...new Set(f.direct.points.map((p) => p.roundTrips))].sort((a, b) => a - b).join(', ');
  const split = f.networkRttDeltaMs === 0 ? '' : ` (${formatDeltaUs(f.networkRttDeltaMs * 1000)} configured network RTT, ${formatEstimateUs(f.machineryUs)} machinery)`;
  return `${f.key}: per round trip ${f.relay.pathId} adds ${formatEstimateUs(f.slopeDeltaUs)} over ${f.direct.pathId}${split}, fixed cost per transaction ${formatEstimateUs(f.interceptDeltaUs)} (fit over k = ${ks})`;
}

/** The projection as one sentence. */
export function projectionLine(p: Projection): string {
  const i = p.input;
  const m = p.basis.measuredRttMs;
  const measured = m.directMs === 0 && m.relayMs === 0 ? '' : `; measured with ${m.directMs} / ${m.relayMs} ms RTT, taken out`;
  const distances = `direct RTT ${i.directRttMs ?? 0} ms, relay legs ${i.appToRelayRttMs ?? 0} + ${i.relayToAgentRttMs ?? 0} + ${i.agentToTargetRttMs ?? 0} ms${measured}`;
  return (
    `projection for ${i.roundTripsPerTransaction} round trip${i.roundTripsPerTransaction === 1 ? '' : 's'} per transaction (${distances}; from ${p.basis.source}): ` +
    `direct ${formatEstimateMs(p.directMs)}, relay ${formatEstimateMs(p.relayMs)}, difference ${formatEstimateMs(p.deltaMs, true)}`
  );
}

