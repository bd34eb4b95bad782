// The bulk of a merge, separable from the rest: one shard result's histograms and interval
// histograms folded into per-step sums on the merged grid (the first shard's window starts and
// the steps' interval lengths), so that worker threads can fold shares of the shards and the
// merge add their sums (shard-merge.ts `addCounts`). Pure.

import { ExitCode, HarnessError } from '../errors.js';
import type { RunResult, ShardInfo } from '../metrics/result.js';
import { emptyStepCounts, foldStepCounts, gridOf, type StepCounts } from './shard-steps.js';

/** A shard's window start of step `i` on the reference clock, epoch ms. */
export function windowStartOf(shard: ShardInfo, result: FoldInput, i: number): number | null {
  const step = result.steps[i];
  if (step === undefined || step.status === 'failed' || step.metrics.windowStartMs === undefined) return null;
  return shard.runStartEpochMs + shard.clock.offsetMs + step.metrics.windowStartMs;
}

/** Per step: the first shard's window start on the reference clock (epoch ms) and the fold's interval length, ms. */
export interface FoldGrid {
  baseMs: (number | null)[];
  resolutionMs: number[];
}

/** A malformed histogram of `file`'s step `i`, refused naming both (exit 2). */
export function badHistogram(file: string, i: number, stepId: string, error: unknown): HarnessError {
  // The encodings are checked as they are folded (the reader skipped its own check for speed).
  if (!(error instanceof RangeError)) throw error;
  return new HarnessError('ERR_RESULT_INVALID', ExitCode.Usage, `${file}: steps.${i} (${stepId}): a histogram ${error.message}`, {
    hint: 'the file was changed or damaged; re-run the shard, or restore the summary.json hcbench wrote',
  });
}

/** What the fold reads of a result: its shard record and its steps. */
export type FoldInput = Pick<RunResult, 'shard' | 'merge' | 'steps'>;

/**
 * Folds the histograms of `result` (from `file`) into `into` (per step) on `grid`, as `add` would:
 * the share of a merge a worker thread does. A result that is no shard is left to `add` to refuse.
 */
export function foldShardCounts(into: (StepCounts | undefined)[], result: FoldInput, file: string, grid: FoldGrid): void {
  const shard = result.shard;
  if (shard === undefined || result.merge !== undefined) return;
  for (const [i, step] of result.steps.entries()) {
    if (step.status === 'failed') continue;
    const start = windowStartOf(shard, result, i);
    const base = grid.baseMs[i] ?? null;
    try {
      foldStepCounts((into[i] ??= emptyStepCounts()), step.metrics, start === null || base === null ? 0 : start - base, gridOf(step.metrics, grid.resolutionMs[i] ?? DEFAULT_GRID_MS));
    } catch (error) {
      throw badHistogram(file, i, step.stepId, error);
    }
  }
}

/** Interval length of a step no shard has shown intervals for (the recorder's 1 s). */
const DEFAULT_GRID_MS = 1000;

