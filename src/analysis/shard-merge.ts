// `hcbench merge`: shard results of one run folded into one ordinary RunResult, exactly (HDR
// histograms added, counters summed, intervals aligned on the reference clock), one shard at a
// time so that the caller can read, add and drop each file and memory stays that of one result.
// The merged result carries `merge` (every shard's clock, generator health and environment, and
// whether shards are missing); overhead, analysis and thresholds are recomputed on it. Pure.

import type { MergeInfo, MergedShard, RunResult, ShardInfo } from '../metrics/result.js';
import { analyzeRun } from './analyze-run.js';
import { computeOverhead } from './overhead.js';
import { checkAlignment, checkNoOverlap, checkSameRun, missingShards, shardOf, unmeasuredClocksNote } from './shard-checks.js';
import { badHistogram, windowStartOf, type FoldGrid } from './shard-counts.js';
import { addShardStep, addStepCounts, finishFold, newFold, type StepCounts, type StepFold } from './shard-steps.js';
import { evaluateThresholds, type ThresholdInput } from './thresholds.js';

/** Adds shard results one by one, then `finish()` gives the merged result. */
export interface ShardMerger {
  /**
   * Adds one shard's result, read from `file` (named in refusals). Throws a HarnessError (exit 9)
   * when it does not belong. With `countsFolded`, its histograms were folded elsewhere
   * (shard-counts.ts, added through `addCounts`) and are not read.
   */
  add(result: RunResult, file: string, countsFolded?: boolean): void;
  /** Sums folded elsewhere, per step, added into the merge. */
  addCounts(steps: readonly (StepCounts | undefined)[]): void;
  /** Where other folds put intervals (after the first add): per step, the first shard's window start on the reference clock and the interval length. */
  grid(): FoldGrid;
  /** The merged result; refuses missing shards unless `allowPartial`, and windows further apart than a step's resolution. */
  finish(): RunResult;
}

/** Numbers at the same place in two counter objects added; anything else kept from the first. */
function sumCounters(a: unknown, b: unknown, depth = 0): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (depth > 8 || a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) return a ?? b;
  const out: Record<string, unknown> = { ...(b as Record<string, unknown>) };
  for (const [key, value] of Object.entries(a as Record<string, unknown>)) out[key] = key in out ? sumCounters(value, out[key], depth + 1) : value;
  return out;
}

/** The scenario's thresholds as they were validated, dropping anything of another shape (evaluated as written). */
function thresholdsOf(resolved: unknown): ThresholdInput[] | undefined {
  const list = (resolved as { thresholds?: unknown } | null)?.thresholds;
  if (!Array.isArray(list)) return undefined;
  return list.slice(0, 1000).filter((t): t is ThresholdInput => typeof t === 'string' || (typeof t === 'object' && t !== null && typeof (t as { expr?: unknown }).expr === 'string'));
}

/**
 * Per path, the shard whose emulation was least accurate (largest round-trip error), its scope
 * saying so: per-traversal percentiles of different shards do not add up; each shard's is in `merge.shards`.
 */
function worstEmulation(shards: readonly MergedShard[]): RunResult['emulation'] {
  const out: NonNullable<RunResult['emulation']> = {};
  for (const shard of shards) {
    for (const [pathId, e] of Object.entries(shard.emulation ?? {})) {
      const held = out[pathId];
      if (held !== undefined && (held.roundTripErrorUs ?? -1) >= (e.roundTripErrorUs ?? -1)) continue;
      out[pathId] = { ...e, scope: `shard ${shard.index} of ${shards.length} merged (the largest error of the shards; each shard's is in merge.shards): ${e.scope}` };
    }
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export function createShardMerger(options: { allowPartial?: boolean } = {}): ShardMerger {
  let first: { result: RunResult; file: string; shard: ShardInfo } | undefined;
  const seen = new Map<number, string>();
  const references = new Set<string>();
  const shards: MergedShard[] = [];
  let folds: StepFold[] = [];
  let base: (number | null)[] = [];
  let pathCounters: Record<string, Record<string, unknown>> | undefined;
  let startedAt = '';
  let finishedAt = '';
  return {
    add(result, file, countsFolded = false) {
      const shard = shardOf(result, file);
      if (first === undefined) {
        // Kept for the header and the step list only: its histograms are folded like every shard's and dropped.
        const light = result.steps.map((s) => ({ stepId: s.stepId, repetition: s.repetition, pathId: s.pathId, pathKind: s.pathKind, status: s.status, ...(s.status === 'failed' ? { error: s.error } : { metrics: { windowStartMs: s.metrics.windowStartMs } }) }));
        first = { result: { ...result, steps: light as RunResult['steps'] }, file, shard };
        folds = result.steps.map((step, i) => newFold(step, shard.wholeWorkloads[i]));
        base = result.steps.map((_, i) => windowStartOf(shard, result, i));
        startedAt = result.startedAt;
        finishedAt = result.finishedAt;
      } else {
        checkSameRun(first, result, file);
      }
      checkNoOverlap(seen, shard.index, file);
      references.add(shard.clock.reference);
      seen.set(shard.index, file);
      const starts = result.steps.map((_, i) => windowStartOf(shard, result, i));
      for (const [i, step] of result.steps.entries()) {
        const fold = folds[i] as StepFold;
        try {
          addShardStep(fold, shard.index, step, starts[i] ?? undefined, base[i] ?? undefined, shard.clock.uncertaintyMs, countsFolded);
        } catch (error) {
          throw badHistogram(file, i, step.stepId, error);
        }
      }
      if (result.pathCounters !== undefined) pathCounters = sumCounters(pathCounters ?? {}, result.pathCounters) as Record<string, Record<string, unknown>>;
      if (result.startedAt < startedAt) startedAt = result.startedAt;
      if (result.finishedAt > finishedAt) finishedAt = result.finishedAt;
      shards.push({
        index: shard.index,
        file,
        status: result.status,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        clock: shard.clock,
        environment: { ...result.environment },
        generators: result.steps.map((s) => (s.status === 'failed' ? null : (s.metrics.generator ?? null))),
        windowStartsMs: starts,
        ...(result.emulation === undefined ? {} : { emulation: result.emulation }),
      });
    },
    addCounts(steps) {
      for (const [i, counts] of steps.entries()) {
        const fold = folds[i];
        if (fold !== undefined && counts !== undefined) addStepCounts(fold, counts);
      }
    },
    grid() {
      return { baseMs: [...base], resolutionMs: folds.map((f) => f.resolutionMs) };
    },
    finish() {
      if (first === undefined) throw new RangeError('merge needs at least one shard result');
      const missing = missingShards(seen, first.shard.count, options.allowPartial === true);
      let worstAlignmentMs = 0;
      for (const fold of folds) worstAlignmentMs = Math.max(worstAlignmentMs, checkAlignment(String(fold.identity.stepId), fold.starts, fold.resolutionMs));
      shards.sort((a, b) => a.index - b.index);
      const lowest = shards[0]?.index;
      const steps = folds.map((fold, i) => finishFold(fold, first?.result.steps[i]?.status === 'failed' ? undefined : first?.result.steps[i]?.metrics.windowStartMs));
      const clockNote = unmeasuredClocksNote(references);
      const merge: MergeInfo = { count: first.shard.count, fingerprint: first.shard.fingerprint, partial: missing.length > 0, missing, worstAlignmentMs, ...(clockNote === undefined ? {} : { clockNote }), shards };
      const { shard: _shard, emulation: _emulation, analysis: _analysis, thresholds: _thresholds, remoteWrite: _rw, relayPath: _rp, ...rest } = first.result;
      const relayId = (first.result.topology?.paths as { id?: string; kind?: string }[] | undefined)?.find((p) => p.kind !== 'direct')?.id;
      const relayCounters = relayId === undefined ? undefined : pathCounters?.[relayId];
      const statuses = shards.map((s) => s.status);
      const emulation = worstEmulation(shards);
      const merged: RunResult = {
        ...rest,
        status: statuses.includes('failed') || steps.some((s) => s.status === 'failed') ? 'failed' : statuses.includes('aborted') ? 'aborted' : 'completed',
        ...(statuses.includes('aborted') ? { abortReason: `shard ${shards.find((s) => s.status === 'aborted')?.index} was aborted` } : {}),
        startedAt,
        finishedAt,
        environment: { ...first.result.environment, roles: { ...first.result.environment.roles, merge: `${shards.length} of ${first.shard.count} shards (environment of shard ${lowest})` } },
        steps,
        ...(pathCounters === undefined ? {} : { pathCounters }),
        ...(relayCounters === undefined || relayId === undefined
          ? {}
          : { relayPath: { pathId: relayId, relay: (relayCounters['relay'] ?? {}) as Record<string, unknown>, agent: (relayCounters['agent'] ?? {}) as Record<string, unknown>, forwarder: (relayCounters['forwarder'] ?? {}) as Record<string, unknown> } }),
        overhead: computeOverhead(steps),
        ...(emulation === undefined ? {} : { emulation }),
        merge,
      };
      const analysis = analyzeRun(merged);
      const inputs = thresholdsOf(first.result.scenario.resolved);
      const thresholds = inputs === undefined || inputs.length === 0 ? undefined : evaluateThresholds(merged, inputs, analysis);
      return { ...merged, analysis, ...(thresholds === undefined ? {} : { thresholds }) };
    },
  };
}
