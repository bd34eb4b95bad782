// Relay vs direct, per percentile: the headline comparison (`result.overhead`). One definition with
// the analysis: every relay path against its variant's direct baseline, percentiles of histograms
// merged over the paired repetitions, throughput pooled (compare-paths.ts). Pure.

import type { OverheadRow, StepResult } from '../metrics/result.js';
import { comparePaths, DEFAULT_CONFIDENCE } from './compare-paths.js';
import { groupSeries, pairSeries } from './pairing.js';
import type { PathComparison } from '../metrics/analysis-result.js';

const METRICS = ['roundTrip', 'transaction'] as const;

/** The overhead rows of one comparison: round trip and transaction percentiles, then throughput. */
export function overheadRows(comparison: PathComparison): OverheadRow[] {
  const rows: OverheadRow[] = comparison.percentiles
    .filter((p) => (METRICS as readonly string[]).includes(p.metric))
    .map((p) => ({ metric: `${p.metric}.${p.percentile}`, unit: 'us', direct: p.directUs, relay: p.relayUs, delta: p.deltaUs.value, ratio: p.ratio?.value ?? null }));
  const { directPerSec, relayPerSec } = comparison.throughput;
  rows.push({
    metric: 'throughput.transactionsPerSec',
    unit: 'perSec',
    direct: directPerSec,
    relay: relayPerSec,
    delta: relayPerSec - directPerSec,
    ratio: directPerSec === 0 ? null : relayPerSec / directPerSec,
  });
  return rows;
}

/**
 * Every relay path of every workload variant against that variant's direct baseline, keyed
 * `<variant>@<relay path id>` (the relay step's id), over all repetitions both paths have.
 * Direct-vs-direct (A vs A) pairs are left to the analysis.
 */
export function computeOverhead(steps: readonly StepResult[]): Record<string, OverheadRow[]> {
  const out: Record<string, OverheadRow[]> = {};
  for (const { direct, relay } of pairSeries(groupSeries(steps))) {
    if (!direct.isDirect || relay.isDirect) continue;
    out[`${relay.key}@${relay.pathId}`] = overheadRows(comparePaths(direct, relay, { confidence: DEFAULT_CONFIDENCE }));
  }
  return out;
}
