// Evaluates a scenario's thresholds against a RunResult: one verdict per threshold and subject
// (workload variant × path, or relay against direct). Pure; it never prints or decides exit codes.

import { mergeRecords } from '../metrics/histogram.js';
import type { HistogramRecord, LatencySummary, RunResult, ThresholdVerdict } from '../metrics/result.js';
import { analyzeRun } from './analyze-run.js';
import { groupSeries, type MeasuredStep, type PathSeries } from './pairing.js';
import { holds, parseThreshold, type LatencyStat, type ThresholdExpression } from './threshold-expression.js';
import type { RunAnalysis } from '../metrics/analysis-result.js';

/** A threshold as the scenario states it: an expression, optionally for one step and over time windows. */
export interface ThresholdSpec {
  /** e.g. `relay.transaction.p99 < 25ms`. */
  expr: string;
  /** Only steps of this workload id or variant key (`chatty[roundTripsPerTransaction=5]`). */
  step?: string | undefined;
  /** Evaluate every window of this many ms (tumbling, from the measured window's start); needs interval histograms. */
  windowMs?: number | undefined;
}

export type ThresholdInput = string | ThresholdSpec;

export type { ThresholdVerdict };
/** Unit of `observed` and `limit`. */
export type VerdictUnit = ThresholdVerdict['unit'];

/** The spec form of any threshold input. */
export function toSpec(input: ThresholdInput): ThresholdSpec {
  return typeof input === 'string' ? { expr: input } : input;
}

/** Evaluates every threshold. Thresholds are validated with the scenario; an unparsable one gives `no-data`. */
export function evaluateThresholds(result: RunResult, inputs: readonly ThresholdInput[], analysis?: RunAnalysis): ThresholdVerdict[] {
  const series = groupSeries(result.steps);
  let lazy = analysis;
  const getAnalysis = (): RunAnalysis => (lazy ??= analyzeRun(result));
  return inputs.flatMap((input) => {
    const spec = toSpec(input);
    const label = labelOf(spec);
    const parsed = parseThreshold(spec.expr);
    if (!parsed.ok) return [noData(label, 'result', 0, 'count', `invalid threshold: ${parsed.message}`)];
    const expression = parsed.expression;
    const verdicts =
      expression.scope === 'overhead' ? evaluateOverhead(expression, spec, label, getAnalysis()) : evaluatePaths(expression, spec, label, series);
    return verdicts.length > 0 ? verdicts : [noData(label, expression.scope, expression.limit, unitOf(expression), 'no step matched this threshold')];
  });
}

/** True when every verdict passed (no failure, no missing data). */
export function thresholdsPassed(verdicts: readonly ThresholdVerdict[]): boolean {
  return verdicts.every((v) => v.status === 'passed');
}

function labelOf(spec: ThresholdSpec): string {
  return `${spec.expr.trim()}${spec.step === undefined ? '' : ` [step=${spec.step}]`}${spec.windowMs === undefined ? '' : ` [window=${spec.windowMs} ms]`}`;
}

function unitOf(e: ThresholdExpression): VerdictUnit {
  if (e.isRatio) return 'ratio';
  switch (e.metric.kind) {
    case 'latency':
      return 'us';
    case 'rate':
      return 'fraction';
    case 'throughput':
      return 'perSec';
    case 'count':
      return 'count';
  }
}

function noData(threshold: string, subject: string, limit: number, unit: VerdictUnit, message: string): ThresholdVerdict {
  return { threshold, subject, status: 'no-data', observed: null, limit, unit, message };
}

function verdict(threshold: string, subject: string, e: ThresholdExpression, observed: number, what: string): ThresholdVerdict {
  const unit = unitOf(e);
  const isOk = holds(observed, e.operator, e.limit);
  const shown = (x: number) => (unit === 'us' ? `${Math.round(x)} us` : unit === 'fraction' ? `${(x * 100).toPrecision(3)}%` : `${+x.toPrecision(6)}`);
  return {
    threshold,
    subject,
    status: isOk ? 'passed' : 'failed',
    observed,
    limit: e.limit,
    unit,
    message: `${what} ${shown(observed)}, must be ${e.operator} ${shown(e.limit)}`,
  };
}

/** Does a step's variant key match `step` (a workload id or a whole variant key)? */
function matchesStep(key: string, step: string | undefined): boolean {
  return step === undefined || key === step || key.startsWith(`${step}[`);
}

function matchesScope(s: PathSeries, scope: string): boolean {
  if (scope === 'relay') return !s.isDirect;
  if (scope === 'direct') return s.isDirect;
  return s.pathId === scope;
}

function statOf(summary: LatencySummary, stat: LatencyStat): number {
  switch (stat) {
    case 'min':
      return summary.minUs;
    case 'mean':
      return summary.meanUs;
    case 'p50':
      return summary.p50Us;
    case 'p90':
      return summary.p90Us;
    case 'p99':
      return summary.p99Us;
    case 'p99.9':
    case 'p999':
      return summary.p999Us;
    case 'max':
      return summary.maxUs;
  }
}

function evaluatePaths(e: ThresholdExpression, spec: ThresholdSpec, label: string, all: readonly PathSeries[]): ThresholdVerdict[] {
  const out: ThresholdVerdict[] = [];
  for (const s of all) {
    if (!matchesScope(s, e.scope) || !matchesStep(s.key, spec.step)) continue;
    const steps = [...s.byRepetition.values()];
    const subject = `${s.key}@${s.pathId}`;
    if (spec.windowMs !== undefined) {
      out.push(...evaluateWindows(e, spec.windowMs, label, subject, steps));
      continue;
    }
    const observed = observe(e, steps);
    const nothing = e.metric.kind === 'rate' || e.metric.kind === 'count' ? `nothing was sent or scheduled: ${describeMetric(e)} measured nothing` : `no ${describeMetric(e)} recorded`;
    out.push(observed === null ? noData(label, subject, e.limit, unitOf(e), nothing) : verdict(label, subject, e, observed, describeMetric(e)));
  }
  return out;
}

function describeMetric(e: ThresholdExpression): string {
  return e.metric.kind === 'latency' ? `${e.metric.metric}.${e.metric.stat}` : e.metric.metric;
}

/** The metric over all repetitions of one series: histograms merged exactly, counters summed. */
function observe(e: ThresholdExpression, steps: readonly MeasuredStep[]): number | null {
  const m = e.metric;
  switch (m.kind) {
    case 'latency': {
      const records = steps.map((s) => s.metrics.histograms[m.metric]).filter((r): r is HistogramRecord => r !== undefined && r.summary.count > 0);
      if (records.length === 0) return null;
      const merged = records.length === 1 ? records[0]! : mergeRecords(records);
      return statOf(merged.summary, m.stat);
    }
    case 'rate': {
      // A rate over nothing is no measurement: when the steps measured nothing at all (no
      // transaction, error, arrival, connection or byte) the verdict is no-data, which fails the
      // gate, never a 0 % that passes it.
      const sum = (f: (c: MeasuredStep['metrics']['counters']) => number) => steps.reduce((a, s) => a + f(s.metrics.counters), 0);
      const errors = sum((c) => Object.values(c.errors).reduce((a, b) => a + (b ?? 0), 0));
      const isEmpty = measuredNothing(steps);
      if (m.metric === 'errorRate') {
        const attempts = sum((c) => c.sent ?? c.transactions + Object.values(c.errors).reduce((a, b) => a + (b ?? 0), 0));
        return attempts > 0 ? errors / attempts : errors > 0 ? 1 : isEmpty ? null : 0;
      }
      const scheduled = sum((c) => c.scheduled ?? c.transactions + (c.dropped ?? 0));
      const part = m.metric === 'droppedRate' ? sum((c) => c.dropped ?? 0) : sum((c) => c.late ?? 0);
      return scheduled > 0 ? part / scheduled : isEmpty ? null : 0;
    }
    case 'throughput': {
      const ms = steps.reduce((a, s) => a + s.metrics.durationMs, 0);
      const n = steps.reduce((a, s) => a + (m.metric === 'transactionsPerSec' ? s.metrics.counters.transactions : s.metrics.counters.roundTrips), 0);
      return ms === 0 ? null : (n * 1000) / ms;
    }
    case 'count': {
      // `errors == 0` or `dropped == 0` over steps that measured nothing is no-data.
      if (m.metric !== 'transactions' && measuredNothing(steps)) return null;
      return steps.reduce((a, s) => {
        const c = s.metrics.counters;
        if (m.metric === 'transactions') return a + c.transactions;
        if (m.metric === 'dropped') return a + (c.dropped ?? 0);
        return a + Object.values(c.errors).reduce((x, y) => x + (y ?? 0), 0);
      }, 0);
    }
  }
}

/** True when the steps recorded nothing at all: no transaction, error, arrival, connection or byte. */
function measuredNothing(steps: readonly MeasuredStep[]): boolean {
  return steps.every((s) => {
    const c = s.metrics.counters;
    const errors = Object.values(c.errors).reduce((a, b) => a + (b ?? 0), 0);
    return c.transactions + errors + (c.scheduled ?? 0) + (c.sent ?? 0) + (c.dropped ?? 0) + c.connectionsOpened + c.bytesSent + c.bytesReceived === 0;
  });
}

/** Tumbling windows over the interval histograms (round trips only); every window must hold. */
function evaluateWindows(e: ThresholdExpression, windowMs: number, label: string, subject: string, steps: readonly MeasuredStep[]): ThresholdVerdict[] {
  const m = e.metric;
  if (m.kind !== 'latency' || m.metric !== 'roundTrip') {
    return [noData(label, subject, e.limit, unitOf(e), 'windows apply to roundTrip latencies only (the interval histograms)')];
  }
  const out: ThresholdVerdict[] = [];
  for (const step of steps) {
    const intervals = step.metrics.intervals ?? [];
    if (intervals.length === 0) {
      out.push(noData(label, subject, e.limit, 'us', 'this step recorded no interval histograms'));
      continue;
    }
    const windows = new Map<number, HistogramRecord[]>();
    for (const interval of intervals) {
      const index = Math.floor(interval.startMs / windowMs);
      const empty: LatencySummary = { count: 0, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
      windows.set(index, [...(windows.get(index) ?? []), { unit: 'us', summary: empty, encoded: interval.roundTrip }]);
    }
    const repetition = step.repetition ?? 0;
    for (const [index, records] of [...windows].sort((a, b) => a[0] - b[0])) {
      const merged = mergeRecords(records);
      if (merged.summary.count === 0) continue;
      const where = `${subject}${steps.length > 1 ? ` #${repetition}` : ''} ${index * windowMs}–${(index + 1) * windowMs} ms`;
      out.push(verdict(label, where, e, statOf(merged.summary, m.stat), `roundTrip.${m.stat}`));
    }
  }
  return out;
}

function evaluateOverhead(e: ThresholdExpression, spec: ThresholdSpec, label: string, analysis: RunAnalysis): ThresholdVerdict[] {
  const out: ThresholdVerdict[] = [];
  const m = e.metric;
  for (const c of analysis.comparisons) {
    if (!matchesStep(c.key, spec.step)) continue;
    const subject = `${c.key}: ${c.relayPathId} vs ${c.directPathId}`;
    if (m.kind === 'throughput') {
      const ratio = c.throughput.ratio?.value;
      out.push(ratio === undefined ? noData(label, subject, e.limit, 'ratio', 'no throughput ratio') : verdict(label, subject, e, ratio, 'throughput ratio'));
      continue;
    }
    if (m.kind !== 'latency') continue;
    const stat = m.stat === 'p999' ? 'p99.9' : m.stat;
    const row = c.percentiles.find((p) => p.metric === m.metric && p.percentile === stat);
    if (row === undefined) {
      out.push(noData(label, subject, e.limit, unitOf(e), `no ${m.metric}.${stat} compared on both paths`));
      continue;
    }
    if (e.isRatio) {
      const ratio = row.ratio?.value;
      out.push(ratio === undefined ? noData(label, subject, e.limit, 'ratio', 'direct is 0, no ratio') : verdict(label, subject, e, ratio, `${m.metric}.${stat} relay ÷ direct`));
    } else out.push(verdict(label, subject, e, row.deltaUs.value, `${m.metric}.${stat} relay − direct`));
  }
  return out;
}
