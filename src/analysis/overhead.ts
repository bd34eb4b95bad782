// Relay vs direct, per percentile: the headline comparison. Pure function over step results.

import type { HistogramRecord, OverheadRow, StepResult } from '../metrics/result.js';

const PERCENTILES: readonly { label: string; key: keyof HistogramRecord['summary'] }[] = [
  { label: 'p50', key: 'p50Us' },
  { label: 'p90', key: 'p90Us' },
  { label: 'p99', key: 'p99Us' },
  { label: 'p99.9', key: 'p999Us' },
  { label: 'max', key: 'maxUs' },
];

/** Rows for one metric (e.g. `roundTrip`) of a direct and a relay step. */
export function overheadRows(
  metric: 'roundTrip' | 'transaction' | 'connect',
  direct: HistogramRecord,
  relay: HistogramRecord,
): OverheadRow[] {
  return PERCENTILES.map(({ label, key }): OverheadRow => {
    const directUs = direct.summary[key];
    const relayUs = relay.summary[key];
    return {
      metric: `${metric}.${label}`,
      unit: 'us',
      direct: directUs,
      relay: relayUs,
      delta: relayUs - directUs,
      ratio: directUs === 0 ? null : relayUs / directUs,
    };
  });
}

/**
 * Pairs each relay step with the direct step of the same workload and compares them.
 * Keyed by the workload part of the step id (`tcp-request-response`).
 */
export function computeOverhead(steps: readonly StepResult[]): Record<string, OverheadRow[]> {
  const byWorkload = new Map<string, { direct?: StepResult; relay?: StepResult }>();
  for (const step of steps) {
    const workloadId = step.stepId.split('@')[0] ?? step.stepId;
    const entry = byWorkload.get(workloadId) ?? {};
    if (step.pathKind === 'direct') entry.direct ??= step;
    else entry.relay ??= step;
    byWorkload.set(workloadId, entry);
  }
  const out: Record<string, OverheadRow[]> = {};
  for (const [workloadId, { direct, relay }] of byWorkload) {
    if (direct === undefined || relay === undefined || direct.status === 'failed' || relay.status === 'failed') continue;
    const d = direct.metrics;
    const r = relay.metrics;
    const rows = [
      ...overheadRows('roundTrip', d.histograms.roundTrip, r.histograms.roundTrip),
      ...overheadRows('transaction', d.histograms.transaction, r.histograms.transaction),
    ];
    rows.push({
      metric: 'throughput.transactionsPerSec',
      unit: 'perSec',
      direct: d.transactionsPerSec,
      relay: r.transactionsPerSec,
      delta: r.transactionsPerSec - d.transactionsPerSec,
      ratio: d.transactionsPerSec === 0 ? null : r.transactionsPerSec / d.transactionsPerSec,
    });
    out[workloadId] = rows;
  }
  return out;
}
