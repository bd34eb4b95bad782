// What `hcbench merge` refuses, with the reason: results that are not shards, shards of other
// scenarios or plans, overlapping or missing shard numbers, and clocks (window starts on the
// reference clock, with their measured uncertainty) further apart than a step's resolution.
// Every refusal is exit 9 (the results cannot be combined) with its own code. Pure.

import { ExitCode, HarnessError } from '../errors.js';
import type { RunResult, ShardInfo, StepResult } from '../metrics/result.js';

/** A result that is no shard (no `--shard`), or whose shape does not match the first shard's. */
export const ERR_SHARD_MISMATCH = 'ERR_SHARD_MISMATCH';
/** Two inputs claim the same shard number. */
export const ERR_SHARD_OVERLAP = 'ERR_SHARD_OVERLAP';
/** Shard numbers are missing (merged only with `--allow-partial`). */
export const ERR_SHARD_MISSING = 'ERR_SHARD_MISSING';
/** Shards' clocks (or window starts) are further apart than a step's resolution, or not measured against one reference. */
export const ERR_SHARD_CLOCK = 'ERR_SHARD_CLOCK';

function refuse(code: string, message: string, hint?: string): never {
  throw new HarnessError(code, ExitCode.Incomparable, message, hint === undefined ? {} : { hint });
}

/** The shard record of `result`, or a refusal naming `file`. */
export function shardOf(result: RunResult, file: string): ShardInfo {
  if (result.merge !== undefined) refuse(ERR_SHARD_MISMATCH, `${file} is already a merged result; merge the shard results themselves`);
  if (result.shard === undefined) refuse(ERR_SHARD_MISMATCH, `${file} is not a shard result (it was not run with --shard I/N)`);
  return result.shard;
}

/** The step key that must match across shards: id and repetition, in order. */
function stepKeys(steps: readonly StepResult[]): string {
  return steps.map((s) => `${s.stepId}#${s.repetition ?? 0}`).join(',');
}

/** Refuses `result` (from `file`) when it is not a shard of the same run as `first` (from `firstFile`). */
export function checkSameRun(first: { result: RunResult; file: string }, result: RunResult, file: string): void {
  const a = shardOf(first.result, first.file);
  const b = shardOf(result, file);
  const differs = (what: string, x: unknown, y: unknown): never =>
    refuse(ERR_SHARD_MISMATCH, `${file} and ${first.file} are not shards of one run: ${what} differs (${JSON.stringify(y)} vs ${JSON.stringify(x)})`, 'merge only the shards of one `hcbench run --shard I/N` of one scenario with the same flags');
  if (result.scenario.name !== first.result.scenario.name) differs('the scenario', first.result.scenario.name, result.scenario.name);
  if (a.count !== b.count) differs('the shard count N', a.count, b.count);
  if (a.fingerprint !== b.fingerprint) differs('the plan fingerprint (scenario, overrides or target)', a.fingerprint.slice(0, 12), b.fingerprint.slice(0, 12));
  if (a.startAt !== b.startAt) differs('--start-at', a.startAt ?? null, b.startAt ?? null);
  if (stepKeys(result.steps) !== stepKeys(first.result.steps)) differs('the list of steps', first.result.steps.length, result.steps.length);
  // Different hosts' own clocks merge (marked unmeasured, see unmeasuredClocksNote); a served clock is one reference for all.
  const isHostClock = (reference: string): boolean => reference.startsWith('host ');
  if (a.clock.reference !== b.clock.reference && !(isHostClock(a.clock.reference) && isHostClock(b.clock.reference))) {
    refuse(ERR_SHARD_CLOCK, `${file} and ${first.file} measured their clocks against different references (${b.clock.reference} vs ${a.clock.reference}): their offset is unknown`, 'run one shard with --clock-serve host:port and the others with --clock-ref host:port (shards on one host share its clock)');
  }
}

/** Refuses a second input with the same shard number. */
export function checkNoOverlap(seen: ReadonlyMap<number, string>, index: number, file: string): void {
  const other = seen.get(index);
  if (other !== undefined) refuse(ERR_SHARD_OVERLAP, `${file} and ${other} are both shard ${index}: a shard is counted once`);
}

/** Shard numbers 1..count not in `seen`; refuses them unless `allowPartial`. */
export function missingShards(seen: ReadonlyMap<number, string>, count: number, allowPartial: boolean): number[] {
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!seen.has(i)) missing.push(i);
  if (missing.length > 0 && !allowPartial) {
    const shown = missing.length > 10 ? `${missing.slice(0, 10).join(', ')} and ${missing.length - 10} more` : missing.join(', ');
    refuse(ERR_SHARD_MISSING, `shard${missing.length === 1 ? '' : 's'} ${shown} of ${count} missing: the merge would measure only part of the load`, 'pass every shard\'s result, or --allow-partial to merge what there is (marked partial)');
  }
  return missing;
}

/** One shard's window start of a step on the reference clock, with its clock's uncertainty. */
export interface WindowStart {
  index: number;
  startMs: number;
  uncertaintyMs: number;
}

/**
 * The spread of one step's window starts across shards (max − min, plus the two largest
 * uncertainties), ms; refuses when it exceeds `resolutionMs` (the step's interval length).
 */
export function checkAlignment(stepId: string, starts: readonly WindowStart[], resolutionMs: number): number {
  if (starts.length < 2) return 0;
  const sorted = [...starts].sort((x, y) => x.startMs - y.startMs);
  const [u1 = 0, u2 = 0] = starts.map((s) => s.uncertaintyMs).sort((x, y) => y - x);
  const early = sorted[0] as WindowStart;
  const late = sorted[sorted.length - 1] as WindowStart;
  const spreadMs = late.startMs - early.startMs + u1 + u2;
  if (spreadMs > resolutionMs) {
    refuse(
      ERR_SHARD_CLOCK,
      `step ${stepId}: the measured windows of shards ${early.index} and ${late.index} start ${(late.startMs - early.startMs).toFixed(1)} ms apart on the reference clock (± ${(u1 + u2).toFixed(1)} ms), more than the step's resolution of ${resolutionMs} ms`,
      'start every shard with one --start-at instant far enough ahead, and measure clocks with --clock-serve / --clock-ref',
    );
  }
  return spreadMs;
}

/**
 * The note of a merge whose shards ran on several hosts' own clocks (no `--clock-serve` /
 * `--clock-ref`): their offsets were not measured, so window alignment rests on the hosts' clock
 * synchronisation (NTP). Undefined when every shard shares one reference.
 */
export function unmeasuredClocksNote(references: ReadonlySet<string>): string | undefined {
  if (references.size < 2) return undefined;
  return `clocks of ${references.size} hosts not measured against each other (no --clock-serve / --clock-ref): windows aligned by each host's own clock, assumed NTP-synchronised`;
}
