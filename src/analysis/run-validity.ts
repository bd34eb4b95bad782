// Whether a run is valid evidence for what it is used for. Each statistic of each step is marked
// trusted or not from the generator's own timing error (statistic-trust.ts); a run is invalid
// (exit 7) only when a statistic that a threshold or the overhead verdict reads is untrusted.
// Untrusted statistics nobody acts on are shown marked in the reports, and do not fail the run.
// Pure.

import type { RunResult } from '../metrics/result.js';
import { groupSeries, pairSeries, type MeasuredStep, type PathSeries } from './pairing.js';
import { isMarkedUntrusted, normaliseStat } from './statistic-trust.js';
import { parseThreshold } from './threshold-expression.js';
import { toSpec, type ThresholdInput } from './thresholds.js';

type Measured = MeasuredStep;

/** One statistic of one series that a verdict reads. */
interface Use {
  series: PathSeries;
  /** `roundTrip`, or `throughput` for transactionsPerSec. */
  metric: string;
  stat: string;
  /** Who reads it, e.g. `the overhead verdict`, `threshold relay.transaction.p99 < 190ms`. */
  by: string;
}

/**
 * Statistics the verdict lines read: round trip and transaction p50 (the headline), connection
 * setup p50 where connections are the workload (first byte on new connections measured), and the
 * transaction mean of series a round-trip fit uses.
 */
function overheadUses(series: readonly PathSeries[], fitPaths: ReadonlySet<string>): Use[] {
  const uses: Use[] = [];
  const by = 'the overhead verdict';
  for (const { direct, relay } of pairSeries(series)) {
    const steps = [...direct.byRepetition.values(), ...relay.byRepetition.values()];
    const hasFirstByte = steps.every((step) => (step.metrics.histograms.firstByte?.summary.count ?? 0) > 0);
    for (const s of [direct, relay]) {
      uses.push({ series: s, metric: 'roundTrip', stat: 'p50', by }, { series: s, metric: 'transaction', stat: 'p50', by });
      if (hasFirstByte) uses.push({ series: s, metric: 'firstByte', stat: 'p50', by: 'the connection-setup verdict' });
      if (fitPaths.has(s.pathId)) uses.push({ series: s, metric: 'transaction', stat: 'mean', by: 'the round-trip fit' });
    }
  }
  return uses;
}

/** Does a step's variant key match `step` (a workload id or a whole variant key)? (as thresholds.ts) */
function matchesStep(key: string, step: string | undefined): boolean {
  return step === undefined || key === step || key.startsWith(`${step}[`);
}

/** Statistics the thresholds read, per matching series (unparsable thresholds read nothing). */
function thresholdUses(series: readonly PathSeries[], thresholds: readonly ThresholdInput[]): Use[] {
  const uses: Use[] = [];
  const paired = pairSeries(series).flatMap((p) => [p.direct, p.relay]);
  for (const input of thresholds) {
    const spec = toSpec(input);
    const parsed = parseThreshold(spec.expr);
    if (!parsed.ok) continue;
    const e = parsed.expression;
    const by = `threshold ${spec.expr.trim()}`;
    const candidates = e.scope === 'overhead' ? paired : series.filter((s) => (e.scope === 'relay' ? !s.isDirect : e.scope === 'direct' ? s.isDirect : s.pathId === e.scope));
    for (const s of candidates) {
      if (!matchesStep(s.key, spec.step)) continue;
      if (e.metric.kind === 'latency') uses.push({ series: s, metric: e.metric.metric, stat: normaliseStat(e.metric.stat) ?? e.metric.stat, by });
      else if (e.metric.kind === 'throughput') uses.push({ series: s, metric: 'transactionsPerSec', stat: '', by });
    }
  }
  return uses;
}

function isUntrusted(step: Measured, use: Use): boolean {
  if (use.metric === 'transactionsPerSec') return step.metrics.generator?.untrusted?.includes('transactionsPerSec') === true;
  return isMarkedUntrusted(step.metrics, use.metric, use.stat);
}

/** The statistics `hcbench compare` reads of every series (analysis/compare.ts: round trip and transaction p50/p99, throughput). */
function compareUses(series: readonly PathSeries[]): Use[] {
  const by = 'compare';
  return series.flatMap((s) => [
    ...['roundTrip', 'transaction'].flatMap((metric) => ['p50', 'p99'].map((stat) => ({ series: s, metric, stat, by }))),
    { series: s, metric: 'transactionsPerSec', stat: '', by },
  ]);
}

/**
 * Why the run is invalid: one lower-case line per untrusted statistic that a threshold or the
 * overhead verdict reads (per step); empty when the run is valid evidence.
 */
export function invalidRunReasons(result: RunResult, thresholds: readonly ThresholdInput[] = []): string[] {
  const series = groupSeries(result.steps);
  const fitPaths = new Set((result.analysis?.fits ?? []).flatMap((f) => [f.direct.pathId, f.relay.pathId]));
  return reasonsFor([...overheadUses(series, fitPaths), ...thresholdUses(series, thresholds)]);
}

/** Why a result is not valid evidence for `hcbench compare`: untrusted statistics among those it compares. */
export function invalidCompareReasons(result: RunResult): string[] {
  return reasonsFor(compareUses(groupSeries(result.steps)));
}

function reasonsFor(uses: readonly Use[]): string[] {
  const reasons = new Map<string, string>();
  for (const use of uses) {
    for (const step of use.series.byRepetition.values()) {
      if (!isUntrusted(step, use)) continue;
      const where = (step.repetition ?? 0) === 0 ? step.stepId : `${step.stepId} #${step.repetition}`;
      const key = use.metric === 'transactionsPerSec' ? 'transactionsPerSec' : `${use.metric}.${use.stat}`;
      const detail = step.metrics.generator?.invalidReasons.find((r) => r.startsWith(`${key} `) || r.startsWith(`${key}:`)) ?? key;
      const id = `${where}\u0000${key}`;
      const previous = reasons.get(id);
      reasons.set(id, previous === undefined ? `${where}: ${detail}, read by ${use.by}` : previous.includes(use.by) ? previous : `${previous} and ${use.by}`);
    }
  }
  return [...reasons.values()];
}
