// Groups a run's steps for comparison: by workload variant (the stepId part before `@`), path and
// repetition. Pure; failed steps are left out (they carry no metrics).

import type { StepMetrics, StepResult } from '../metrics/result.js';

/** A step that produced metrics (completed, or aborted with partial metrics). */
export type MeasuredStep = Extract<StepResult, { metrics: StepMetrics }>;

/** The stepId part before `@`: the workload variant, equal on every path and repetition. */
export function variantKey(stepId: string): string {
  const at = stepId.lastIndexOf('@');
  return at < 0 ? stepId : stepId.slice(0, at);
}

/** Measured steps of one variant on one path, indexed by repetition (absent = 0). */
export interface PathSeries {
  key: string;
  pathId: string;
  isDirect: boolean;
  byRepetition: Map<number, MeasuredStep>;
}

export function isMeasured(step: StepResult): step is MeasuredStep {
  return step.status !== 'failed';
}

/** Series per (variant, path), in first-seen order. */
export function groupSeries(steps: readonly StepResult[]): PathSeries[] {
  const series = new Map<string, PathSeries>();
  for (const step of steps) {
    if (!isMeasured(step)) continue;
    const key = variantKey(step.stepId);
    const id = `${key}\u0000${step.pathId}`;
    let entry = series.get(id);
    if (entry === undefined) {
      entry = { key, pathId: step.pathId, isDirect: step.pathKind === 'direct', byRepetition: new Map() };
      series.set(id, entry);
    }
    // A repeated (stepId, repetition) keeps the first: the runner never produces one.
    if (!entry.byRepetition.has(step.repetition ?? 0)) entry.byRepetition.set(step.repetition ?? 0, step);
  }
  return [...series.values()];
}

/**
 * For each variant, its baseline series (the first direct path, else the first path) paired with
 * every other series. Two direct paths therefore give an A vs A comparison.
 */
export function pairSeries(series: readonly PathSeries[]): { direct: PathSeries; relay: PathSeries }[] {
  const pairs: { direct: PathSeries; relay: PathSeries }[] = [];
  const keys = [...new Set(series.map((s) => s.key))];
  for (const key of keys) {
    const ofKey = series.filter((s) => s.key === key);
    const baseline = ofKey.find((s) => s.isDirect) ?? ofKey[0];
    if (baseline === undefined) continue;
    for (const other of ofKey) if (other !== baseline) pairs.push({ direct: baseline, relay: other });
  }
  return pairs;
}

/** Repetition indices present in both series, ascending. */
export function sharedRepetitions(a: PathSeries, b: PathSeries): number[] {
  return [...a.byRepetition.keys()].filter((r) => b.byRepetition.has(r)).sort((x, y) => x - y);
}
