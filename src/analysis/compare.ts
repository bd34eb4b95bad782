// Compares a current result with a baseline, metric by metric: improved / unchanged / regressed /
// incomparable. A change counts only when it exceeds both the metric's tolerance and the noise
// band learned from the baseline's repetitions. Pure; the CLI reads files and sets exit codes.

import type { RunResult } from '../metrics/result.js';
import { checkComparability } from './comparability.js';
import { distributionOfRecord, mergeDistributions, valueAtPercentile } from './distribution.js';
import { sdUncertainty } from './normal.js';
import { groupSeries, pairSeries, sharedRepetitions, type MeasuredStep, type PathSeries } from './pairing.js';

export type MetricVerdict = 'improved' | 'unchanged' | 'regressed' | 'incomparable';

/** A tolerance rule: metrics whose name matches `pattern` (`*` = any text) may move by `relative` (0.1 = 10 %). */
export interface ToleranceRule {
  pattern: string;
  relative: number;
}

/** Defaults, first match wins after the caller's own rules: p50 10 %, p90 15 %, p99 25 %, throughput 10 %, error rate 0 (floor only). */
export const DEFAULT_TOLERANCES: readonly ToleranceRule[] = [
  { pattern: '*.p50', relative: 0.1 },
  { pattern: '*.p90', relative: 0.15 },
  { pattern: '*.p99', relative: 0.25 },
  { pattern: '*transactionsPerSec', relative: 0.1 },
  { pattern: '*errorRate', relative: 0 },
  { pattern: '*', relative: 0.1 },
];

/** Smallest change that can count, per unit: 50 µs, 1/s, 0.1 % error rate. */
export const ABSOLUTE_FLOORS = { us: 50, perSec: 1, fraction: 0.001 } as const;

export interface CompareOptions {
  /** Rules checked before the defaults. */
  tolerances?: readonly ToleranceRule[];
  /** The noise band is `noiseK` × the standard deviation of the baseline's repetitions. Default 2. */
  noiseK?: number;
}

/**
 * One compared metric. Values in `unit`; `baseline`/`current` are each result's figure over all its
 * repetitions: latency percentiles of the merged histograms (never averaged), rates pooled (Σ ÷ Σ).
 */
export interface MetricComparison {
  /** `smoke@relay-emulated transaction.p50`, `smoke overhead roundTrip.p50`. */
  metric: string;
  unit: 'us' | 'perSec' | 'fraction';
  isLowerBetter: boolean;
  baseline: number | null;
  current: number | null;
  baselineRepetitions: number;
  /** current − baseline. */
  delta: number | null;
  /** delta ÷ baseline; null when the baseline is 0 or missing. */
  relativeDelta: number | null;
  /** Relative tolerance that applied. */
  tolerance: number;
  /** noiseK × standard deviation of the baseline's per-repetition figures; 0 with one repetition. */
  noiseBand: number;
  /**
   * 95 % range of the noise band itself: a standard deviation from n repetitions is uncertain by a
   * factor (×0.45–×31.9 at n = 2, ×0.69–×1.83 at n = 10); null with one repetition.
   */
  noiseBandRange: { low: number; high: number } | null;
  /** The largest change that still counts as unchanged: max(tolerance × |baseline|, noise band, floor). */
  allowed: number;
  verdict: MetricVerdict;
  /** Why, lower case. */
  reason: string;
}

export interface CompareReport {
  baseline: { file: string; scenario: string; startedAt: string };
  current: { file: string; scenario: string; startedAt: string };
  /** False when the results cannot be compared at all (`reasons` says why). */
  isComparable: boolean;
  reasons: string[];
  notes: string[];
  metrics: MetricComparison[];
  counts: Record<MetricVerdict, number>;
  /** Overall: incomparable results; else regressed beats incomparable metrics beats improved beats unchanged. */
  verdict: MetricVerdict;
}

/** Glob with `*` only. */
export function matchesPattern(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

/** A metric of one series: its figure over a set of repetitions (pooled), and per repetition (for the noise band). */
type Extract = { name: string; unit: MetricComparison['unit']; isLowerBetter: boolean; pooled: (steps: readonly MeasuredStep[]) => number | undefined };

const errorsOf = (s: MeasuredStep) => Object.values(s.metrics.counters.errors).reduce((a, b) => a + (b ?? 0), 0);

const RANKS = { p50: 50, p99: 99 } as const;

/** The percentile of the histograms merged over `steps` (exactly as thresholds read it); undefined when nothing was recorded. */
function mergedPercentile(steps: readonly MeasuredStep[], histogram: 'roundTrip' | 'transaction', rank: number): number | undefined {
  const records = steps.map((s) => s.metrics.histograms[histogram]).filter((r) => r.summary.count > 0);
  if (records.length === 0) return undefined;
  return valueAtPercentile(mergeDistributions(records.map(distributionOfRecord)), rank);
}

const SERIES_METRICS: readonly Extract[] = [
  ...(['roundTrip', 'transaction'] as const).flatMap((h) =>
    (['p50', 'p99'] as const).map((p): Extract => ({
      name: `${h}.${p}`,
      unit: 'us',
      isLowerBetter: true,
      pooled: (steps) => mergedPercentile(steps, h, RANKS[p]),
    })),
  ),
  {
    name: 'transactionsPerSec',
    unit: 'perSec',
    isLowerBetter: false,
    pooled: (steps) => {
      const seconds = steps.reduce((a, s) => a + s.metrics.durationMs / 1000, 0);
      return seconds === 0 ? undefined : steps.reduce((a, s) => a + s.metrics.counters.transactions, 0) / seconds;
    },
  },
  {
    name: 'errorRate',
    unit: 'fraction',
    isLowerBetter: true,
    pooled: (steps) => {
      const sent = steps.reduce((a, s) => a + (s.metrics.counters.sent ?? s.metrics.counters.transactions + errorsOf(s)), 0);
      return sent === 0 ? undefined : steps.reduce((a, s) => a + errorsOf(s), 0) / sent;
    },
  },
];

const OVERHEAD_METRICS = SERIES_METRICS.filter((m) => m.name === 'roundTrip.p50' || m.name === 'transaction.p50');

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** One metric of one result: the pooled figure and the per-repetition figures. */
interface Collected {
  unit: Extract['unit'];
  isLowerBetter: boolean;
  value: number;
  perRepetition: number[];
}

/** Figures per metric name from one result. */
function collect(result: RunResult): Map<string, Collected> {
  const out = new Map<string, Collected>();
  const finite = (xs: (number | undefined)[]) => xs.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const put = (name: string, m: Extract, value: number | undefined, perRepetition: (number | undefined)[]) => {
    if (value !== undefined && Number.isFinite(value)) out.set(name, { unit: m.unit, isLowerBetter: m.isLowerBetter, value, perRepetition: finite(perRepetition) });
  };
  const series = groupSeries(result.steps);
  for (const s of series) {
    const steps = [...s.byRepetition.values()];
    for (const m of SERIES_METRICS) put(`${s.key}@${s.pathId} ${m.name}`, m, m.pooled(steps), steps.map((step) => m.pooled([step])));
  }
  for (const { direct, relay } of pairSeries(series)) {
    const reps = sharedRepetitions(direct, relay);
    const pick = (p: PathSeries, rs: readonly number[]) => rs.map((r) => p.byRepetition.get(r)!);
    for (const m of OVERHEAD_METRICS) {
      const delta = (rs: readonly number[]) => {
        const d = m.pooled(pick(direct, rs));
        const r = m.pooled(pick(relay, rs));
        return d === undefined || r === undefined ? undefined : r - d;
      };
      put(`${relay.key} overhead(${relay.pathId}) ${m.name}`, m, delta(reps), reps.map((r) => delta([r])));
    }
  }
  return out;
}

/** Compares `current` against `baseline`. */
export function compareResults(
  baseline: RunResult,
  current: RunResult,
  files: { baseline: string; current: string },
  options: CompareOptions = {},
): CompareReport {
  const noiseK = options.noiseK ?? 2;
  const rules = [...(options.tolerances ?? []), ...DEFAULT_TOLERANCES];
  const { reasons, notes } = checkComparability(baseline, current);
  const isComparable = reasons.length === 0;
  const metrics: MetricComparison[] = [];
  if (isComparable) {
    const b = collect(baseline);
    const c = collect(current);
    for (const name of new Set([...b.keys(), ...c.keys()])) {
      const base = b.get(name);
      const cur = c.get(name);
      const shape = base ?? cur!;
      const tolerance = rules.find((r) => matchesPattern(name, r.pattern))?.relative ?? 0.1;
      metrics.push(judge(name, shape.unit, shape.isLowerBetter, base, cur, tolerance, noiseK));
    }
  }
  const counts: Record<MetricVerdict, number> = { improved: 0, unchanged: 0, regressed: 0, incomparable: 0 };
  for (const m of metrics) counts[m.verdict] += 1;
  const verdict: MetricVerdict = !isComparable
    ? 'incomparable'
    : counts.regressed > 0
      ? 'regressed'
      : counts.incomparable > 0
        ? 'incomparable'
        : counts.improved > 0
          ? 'improved'
          : 'unchanged';
  const describe = (r: RunResult, file: string) => ({ file, scenario: r.scenario.name, startedAt: r.startedAt });
  return { baseline: describe(baseline, files.baseline), current: describe(current, files.current), isComparable, reasons, notes, metrics, counts, verdict };
}

function judge(
  metric: string,
  unit: MetricComparison['unit'],
  isLowerBetter: boolean,
  base: Collected | undefined,
  cur: Collected | undefined,
  tolerance: number,
  noiseK: number,
): MetricComparison {
  const common = { metric, unit, isLowerBetter, tolerance, baselineRepetitions: base?.perRepetition.length ?? 0 };
  if (base === undefined || cur === undefined) {
    return {
      ...common, baseline: base?.value ?? null, current: cur?.value ?? null,
      delta: null, relativeDelta: null, noiseBand: 0, noiseBandRange: null, allowed: 0, verdict: 'incomparable',
      reason: base === undefined ? 'not in the baseline' : 'not in the current result',
    };
  }
  const b = base.value;
  const c = cur.value;
  const d = c - b;
  const n = base.perRepetition.length;
  const noiseBand = noiseK * sd(base.perRepetition);
  const factor = sdUncertainty(n);
  const noiseBandRange = factor === null ? null : { low: noiseBand * factor.low, high: noiseBand * factor.high };
  const allowed = Math.max(tolerance * Math.abs(b), noiseBand, ABSOLUTE_FLOORS[unit]);
  const worse = isLowerBetter ? d : -d;
  const verdict: MetricVerdict = worse > allowed ? 'regressed' : worse < -allowed ? 'improved' : 'unchanged';
  const bound = allowed === noiseBand ? 'noise band' : allowed === ABSOLUTE_FLOORS[unit] ? 'floor' : 'tolerance';
  const shown = (x: number) => +x.toPrecision(3);
  const about =
    n < 2
      ? '; one baseline repetition, no noise band'
      : n < 10 && factor !== null
        ? `; noise band ±${shown(noiseBand)} from n=${n} repetitions (95 % range ±${shown(noiseBand * factor.low)}–±${shown(noiseBand * factor.high)})`
        : '';
  return {
    ...common, baseline: b, current: c, delta: d, relativeDelta: b === 0 ? null : d / b, noiseBand, noiseBandRange, allowed, verdict,
    reason: `${verdict === 'unchanged' ? 'within' : 'beyond'} ±${shown(allowed)} (${bound})${about}`,
  };
}
