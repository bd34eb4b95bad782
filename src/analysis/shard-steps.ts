// One step of a merge (`hcbench merge`), folded shard by shard so that memory stays that of one
// result whatever the number of shards: HDR histograms added bucket by bucket, counters summed,
// interval histograms added by their time on the reference clock, each shard's generator health
// kept and the merged one as strict as the strictest shard. Pure (no I/O).

import { mergeCounters } from '../metrics/merge.js';
import { recordFromCounts } from '../metrics/counts-summary.js';
import { addCounts, addEncodedCounts, emptyCounts, encodeCounts, type SparseCounts } from '../metrics/sparse-counts.js';
import type { GeneratorHealth, GeneratorNoise, StepInterval, StepMetrics, StepResult } from '../metrics/result.js';
import type { WindowStart } from './shard-checks.js';

type HistogramName = keyof StepMetrics['histograms'];

/** The summed histograms of one step (the bulk of a merge's work), foldable on any thread. */
export interface StepCounts {
  histograms: Map<HistogramName, SparseCounts>;
  /** By interval start (ms from the merged window's start). */
  intervals: Map<number, { durationMs: number; counts: SparseCounts }>;
}

/** The sums of one step's measured parts. */
interface MetricsFold extends StepCounts {
  first: StepMetrics;
  durationMs: number;
  counters: StepMetrics['counters'];
  warmupCounters?: StepMetrics['counters'];
  ratePerSec?: number;
  rateLimitPerSec?: number;
  notes: Map<string, number[]>;
  generators: GeneratorHealth[];
}

export interface StepFold {
  /** Identity of the first shard's step, with the whole scenario's workload. */
  identity: Omit<StepResult, 'status' | 'metrics' | 'error' | 'reason'>;
  failed?: { code: string; message: string };
  aborted?: string;
  metrics?: MetricsFold;
  /** Window starts on the reference clock, for the alignment check. */
  starts: WindowStart[];
  /** The interval length (the step's resolution), ms. */
  resolutionMs: number;
}

/** Default resolution of a step without interval histograms: the recorder's 1 s intervals. */
const DEFAULT_RESOLUTION_MS = 1000;

export function newFold(step: StepResult, wholeWorkload: Record<string, unknown> | undefined): StepFold {
  const { status: _s, ...rest } = step as StepResult & { metrics?: unknown; error?: unknown; reason?: unknown };
  const { metrics: _m, error: _e, reason: _r, faultEvents: _f, ...identity } = rest;
  return { identity: { ...identity, ...(wholeWorkload === undefined ? {} : { workload: wholeWorkload }) }, starts: [], resolutionMs: DEFAULT_RESOLUTION_MS };
}

function addHistogram(into: Map<HistogramName, SparseCounts>, name: HistogramName, record: NonNullable<StepMetrics['histograms'][HistogramName]>): void {
  let sum = into.get(name);
  if (sum === undefined) into.set(name, (sum = emptyCounts()));
  addEncodedCounts(sum, record.encoded);
}

function addIntervals(into: Map<number, { durationMs: number; counts: SparseCounts }>, intervals: readonly StepInterval[], shiftMs: number, gridMs: number): void {
  for (const interval of intervals) {
    // The interval's start on the merged window's grid: shards' windows start within the resolution.
    const startMs = Math.max(0, Math.round((interval.startMs + shiftMs) / gridMs) * gridMs);
    let slot = into.get(startMs);
    if (slot === undefined) into.set(startMs, (slot = { durationMs: interval.durationMs, counts: emptyCounts() }));
    slot.durationMs = Math.max(slot.durationMs, interval.durationMs);
    addEncodedCounts(slot.counts, interval.roundTrip);
  }
}

/** Empty sums of one step. */
export function emptyStepCounts(): StepCounts {
  return { histograms: new Map(), intervals: new Map() };
}

/** The interval length a shard's step folds its intervals on: its own, else `fallbackMs` (the fold's so far). */
export function gridOf(m: StepMetrics, fallbackMs: number): number {
  const first = m.intervals?.[0];
  return first !== undefined && first.durationMs > 0 ? first.durationMs : fallbackMs;
}

/**
 * Adds a shard step's histograms and interval histograms (shifted by `shiftMs` onto the merged
 * grid of `gridMs`) into `into`. Throws a RangeError on a malformed encoding.
 */
export function foldStepCounts(into: StepCounts, m: StepMetrics, shiftMs: number, gridMs: number): void {
  for (const [name, record] of Object.entries(m.histograms) as [HistogramName, StepMetrics['histograms'][HistogramName]][]) {
    if (record !== undefined) addHistogram(into.histograms, name, record);
  }
  addIntervals(into.intervals, m.intervals ?? [], shiftMs, gridMs);
}

/** Adds sums folded elsewhere (a worker thread's share of the shards) into the step's fold. */
export function addStepCounts(fold: StepFold, from: StepCounts): void {
  const acc = fold.metrics;
  if (acc === undefined) return;
  for (const [name, counts] of from.histograms) {
    let sum = acc.histograms.get(name);
    if (sum === undefined) acc.histograms.set(name, (sum = emptyCounts()));
    addCounts(sum, counts);
  }
  for (const [startMs, slot] of from.intervals) {
    let held = acc.intervals.get(startMs);
    if (held === undefined) acc.intervals.set(startMs, (held = { durationMs: slot.durationMs, counts: emptyCounts() }));
    held.durationMs = Math.max(held.durationMs, slot.durationMs);
    addCounts(held.counts, slot.counts);
  }
}

/**
 * Adds shard `index`'s step to the fold. `windowStartMs` is its window start on the reference
 * clock and `baseStartMs` the first shard's, so its intervals land on the merged grid.
 */
export function addShardStep(fold: StepFold, index: number, step: StepResult, windowStartMs: number | undefined, baseStartMs: number | undefined, uncertaintyMs: number, countsFolded = false): void {
  if (step.status === 'failed') {
    fold.failed ??= { code: step.error.code, message: `shard ${index}: ${step.error.message}` };
    return;
  }
  if (step.status === 'aborted') fold.aborted ??= `shard ${index}: ${step.reason}`;
  const m = step.metrics;
  const isEmpty = m.counters.transactions === 0 && m.warmupMs === 0 && m.generator === undefined;
  fold.resolutionMs = gridOf(m, fold.resolutionMs);
  if (windowStartMs !== undefined && !isEmpty) fold.starts.push({ index, startMs: windowStartMs, uncertaintyMs });
  const acc: MetricsFold = (fold.metrics ??= {
    first: m,
    durationMs: 0,
    counters: mergeCounters([]),
    histograms: new Map(),
    intervals: new Map(),
    notes: new Map(),
    generators: [],
  });
  acc.durationMs = Math.max(acc.durationMs, m.durationMs);
  acc.counters = mergeCounters([acc.counters, m.counters]);
  if (m.warmupCounters !== undefined) acc.warmupCounters = mergeCounters(acc.warmupCounters === undefined ? [m.warmupCounters] : [acc.warmupCounters, m.warmupCounters]);
  if (m.timing?.ratePerSec !== undefined) acc.ratePerSec = (acc.ratePerSec ?? 0) + m.timing.ratePerSec;
  if (m.timing?.rateLimitPerSec !== undefined) acc.rateLimitPerSec = (acc.rateLimitPerSec ?? 0) + m.timing.rateLimitPerSec;
  // Folded elsewhere (a worker thread) when `countsFolded`: its sums arrive through addStepCounts.
  const shiftMs = windowStartMs === undefined || baseStartMs === undefined ? 0 : windowStartMs - baseStartMs;
  if (!countsFolded) foldStepCounts(acc, m, shiftMs, fold.resolutionMs);
  for (const note of m.notes ?? []) acc.notes.set(note, [...(acc.notes.get(note) ?? []), index]);
  if (m.throughput !== undefined) acc.notes.set('per-interval stream throughput is kept per shard only (rates of different shards add per instant, not per distribution)', [index]);
  if (m.generator !== undefined) acc.generators.push(m.generator);
}

/** The strictest noise per rank: a statistic is trusted only when every shard's generator was precise enough for it. */
function worstNoise(list: readonly GeneratorNoise[]): GeneratorNoise | undefined {
  if (list.length === 0) return undefined;
  const max = (key: keyof GeneratorNoise): number => Math.max(...list.map((n) => n[key] ?? 0));
  const sum = list.reduce((a, n) => a + n.samples, 0);
  const optional = (key: 'p50Us' | 'p75Us' | 'p90Us') => (list.every((n) => n[key] !== undefined) ? { [key]: max(key) } : {});
  return {
    samples: sum,
    meanUs: max('meanUs'),
    ...optional('p50Us'), ...optional('p75Us'), ...optional('p90Us'),
    p95Us: max('p95Us'), p99Us: max('p99Us'), p999Us: max('p999Us'), p9999Us: max('p9999Us'), maxUs: max('maxUs'),
  };
}

/** Generator health of the merged step: every shard's generators, the worst event-loop delay and noise, untrusted if any shard's is. */
function mergeHealth(list: readonly GeneratorHealth[]): GeneratorHealth | undefined {
  if (list.length === 0) return undefined;
  const worstLoop = list.reduce((a, h) => (h.eventLoopDelay.p99Us > a.eventLoopDelay.p99Us ? h : a));
  const noise = worstNoise(list.flatMap((h) => (h.noise === undefined ? [] : [h.noise])));
  const untrusted = [...new Set(list.flatMap((h) => h.untrusted ?? []))];
  return {
    eventLoopDelay: worstLoop.eventLoopDelay,
    cpuPercent: Math.max(...list.map((h) => h.cpuPercent)),
    generators: list.reduce((a, h) => a + h.generators, 0),
    ...(noise === undefined ? {} : { noise }),
    ...(untrusted.length === 0 ? {} : { untrusted }),
    isValid: list.every((h) => h.isValid),
    invalidReasons: [...new Set(list.flatMap((h) => h.invalidReasons))],
  };
}

function shardList(indexes: readonly number[]): string {
  return indexes.length > 6 ? `shards ${indexes.slice(0, 6).join(', ')} and ${indexes.length - 6} more` : `shard${indexes.length === 1 ? '' : 's'} ${indexes.join(', ')}`;
}

/** The merged step. */
export function finishFold(fold: StepFold, baseWindowStartMs: number | undefined): StepResult {
  if (fold.failed !== undefined) return { ...fold.identity, status: 'failed', error: fold.failed } as StepResult;
  const acc = fold.metrics;
  if (acc === undefined) return { ...fold.identity, status: 'failed', error: { code: 'ERR_SHARD_EMPTY', message: 'no shard measured this step' } } as StepResult;
  const seconds = acc.durationMs / 1000;
  const histograms = {} as StepMetrics['histograms'];
  for (const [name, counts] of acc.histograms) (histograms as Record<string, unknown>)[name] = recordFromCounts(counts);
  const intervals = [...acc.intervals.entries()].sort(([a], [b]) => a - b).map(([startMs, slot]): StepInterval => {
    return { startMs, durationMs: slot.durationMs, roundTrip: encodeCounts(slot.counts) };
  });
  const notes = [...acc.notes.entries()].map(([note, indexes]) => `${shardList(indexes)}: ${note}`);
  const generator = mergeHealth(acc.generators);
  const timing = acc.first.timing === undefined ? undefined : {
    ...acc.first.timing,
    ...(acc.ratePerSec === undefined ? {} : { ratePerSec: acc.ratePerSec }),
    ...(acc.rateLimitPerSec === undefined ? {} : { rateLimitPerSec: acc.rateLimitPerSec }),
  };
  const metrics: StepMetrics = {
    durationMs: acc.durationMs,
    warmupMs: acc.first.warmupMs,
    ...(baseWindowStartMs === undefined ? {} : { windowStartMs: baseWindowStartMs }),
    counters: acc.counters,
    transactionsPerSec: seconds > 0 ? acc.counters.transactions / seconds : 0,
    roundTripsPerSec: seconds > 0 ? acc.counters.roundTrips / seconds : 0,
    histograms,
    ...(timing === undefined ? {} : { timing }),
    ...(generator === undefined ? {} : { generator }),
    ...(notes.length === 0 ? {} : { notes }),
    ...(acc.warmupCounters === undefined ? {} : { warmupCounters: acc.warmupCounters }),
    ...(intervals.length === 0 ? {} : { intervals }),
  };
  return fold.aborted === undefined
    ? ({ ...fold.identity, status: 'completed', metrics } as StepResult)
    : ({ ...fold.identity, status: 'aborted', reason: fold.aborted, metrics } as StepResult);
}
