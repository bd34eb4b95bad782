// The sharding flags of `hcbench run`: `--shard I/N` (this run measures slice I of N of every
// step), `--start-at <ISO-8601>` (every shard's measured windows start at the same instants),
// `--clock-serve host:port` / `--clock-ref host:port` (the clock every shard is measured against).
// Parsing, the clock, the window schedule and the result's `shard` record.

import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import type { ClockOffset, RunResult, ShardInfo } from '../metrics/result.js';
import { measureClockOffset, sameHostClock, serveClock, wallClockMs, type ClockServer } from '../net/clock-exchange.js';
import type { Plan } from '../plan/build-plan.js';
import { MAX_SHARDS, planFingerprint, slicePlan, type ShardSpec } from '../plan/shard.js';
import { MAX_START_AHEAD_MS, windowSchedule } from '../run/start-at.js';

/** commander parser for `--shard I/N`: 1 <= I <= N <= MAX_SHARDS. */
export function parseShard(value: string): ShardSpec {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
    throw new InvalidArgumentError(`must be I/N with 1 <= I <= N <= ${MAX_SHARDS} (e.g. 2/4), got ${JSON.stringify(value)}`);
  }
  return { index, count };
}

/** commander parser for `--start-at`: an ISO-8601 instant with a date, a time and a zone (Z or ±hh:mm). */
export function parseStartAt(value: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
  const ms = Date.parse(value);
  if (!iso.test(value) || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(`must be an ISO-8601 instant with a time zone, e.g. 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** commander parser for a clock address `host:port` (port 0 lets `--clock-serve` pick one). */
export function parseClockAddress(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(value) || Number(value.slice(value.lastIndexOf(':') + 1)) > 65_535) {
    throw new InvalidArgumentError(`must be host:port, got ${JSON.stringify(value)}`);
  }
  return value;
}

export interface ShardFlags {
  shard?: ShardSpec;
  startAt?: number;
  clockServe?: string;
  clockRef?: string;
}

/** Longest wait for the clock reference to answer, ms (its shard may still be starting). */
export const CLOCK_REF_TIMEOUT_MS = 30_000;

/** What `run` needs of the sharding flags: the plan to run, the schedule, and how to stamp the result. */
export interface ShardSetup {
  plan: Plan;
  runStartNs?: bigint;
  windowStarts?: bigint[];
  /** Adds `shard` to a result (no-op without `--shard`). */
  stamp(result: RunResult): RunResult;
  /** Stops the clock responder, if any. */
  close(): Promise<void>;
}

/** The clock this run is measured on: the responder it serves, the reference it measures against, or its own host's. */
async function setupClock(flags: ShardFlags, signal: AbortSignal, log: (line: string) => void): Promise<{ clock: ClockOffset; server?: ClockServer }> {
  if (flags.clockServe !== undefined && flags.clockRef !== undefined) throw new UsageError('--clock-serve and --clock-ref exclude each other: the serving shard is the reference');
  if (flags.clockServe !== undefined) {
    const at = flags.clockServe.lastIndexOf(':');
    const host = flags.clockServe.slice(0, at).replace(/^\[|\]$/g, '');
    const server = await serveClock(host, Number(flags.clockServe.slice(at + 1))).catch((error: unknown) => {
      throw new UsageError(`--clock-serve ${flags.clockServe}: ${error instanceof Error ? error.message : String(error)}`);
    });
    log(`clock: serving the reference clock on ${server.address}`);
    return { clock: { reference: server.reference, method: 'same-host', offsetMs: 0, uncertaintyMs: 0, exchanges: 0 }, server };
  }
  if (flags.clockRef !== undefined) {
    const clock = await measureClockOffset(flags.clockRef, { timeoutMs: CLOCK_REF_TIMEOUT_MS, signal }).catch((error: unknown) => {
      throw new UsageError(`--clock-ref: ${error instanceof Error ? error.message : String(error)}`, { hint: 'start the shard with --clock-serve first, and check the address' });
    });
    log(`clock: offset ${clock.offsetMs.toFixed(3)} ms ± ${clock.uncertaintyMs.toFixed(3)} ms against ${flags.clockRef}`);
    return { clock };
  }
  return { clock: sameHostClock() };
}

/** Applies the sharding flags to `plan`; throws UsageError (exit 2) for a start in the past or > 24 h ahead, or a step that cannot be divided. */
export async function setupShard(plan: Plan, flags: ShardFlags, signal: AbortSignal, log: (line: string) => void): Promise<ShardSetup> {
  const spec = flags.shard ?? { index: 1, count: 1 };
  let sliced: Plan;
  try {
    sliced = slicePlan(plan, spec);
  } catch (error) {
    throw new UsageError(`--shard ${spec.index}/${spec.count}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (flags.shard === undefined && flags.startAt === undefined) return { plan, stamp: (r) => r, close: async () => {} };
  const { clock, server } = await setupClock(flags, signal, log);
  // The run's clock (workloads' systemClock) is process.hrtime: paired with the wall clock here, once.
  const pairing = { ns: process.hrtime.bigint(), localMs: wallClockMs() };
  const referenceMs = pairing.localMs + clock.offsetMs;
  if (flags.startAt !== undefined) {
    const aheadMs = flags.startAt - referenceMs;
    const problem = aheadMs <= 0 ? `is ${Math.round(-aheadMs)} ms in the past` : aheadMs > MAX_START_AHEAD_MS ? `is more than 24 h ahead` : undefined;
    if (problem !== undefined) {
      await server?.close();
      throw new UsageError(`--start-at ${new Date(flags.startAt).toISOString()} ${problem} (reference clock now ${new Date(referenceMs).toISOString()})`, {
        hint: 'give every shard the same instant, far enough ahead for all of them to start (e.g. now + 1 min)',
      });
    }
    log(`start-at: measured window of the first step starts in ${(aheadMs / 1000).toFixed(1)} s`);
  }
  const windowStarts = flags.startAt === undefined ? undefined : windowSchedule(sliced.steps, flags.startAt, { ns: pairing.ns, referenceMs });
  const info: ShardInfo = {
    index: spec.index,
    count: spec.count,
    fingerprint: planFingerprint(plan),
    ...(flags.startAt === undefined ? {} : { startAt: new Date(flags.startAt).toISOString() }),
    runStartEpochMs: pairing.localMs,
    clock,
    wholeWorkloads: plan.steps.map((step) => ({ ...step.workload })),
  };
  return {
    plan: sliced,
    runStartNs: pairing.ns,
    ...(windowStarts === undefined ? {} : { windowStarts }),
    stamp: (result) => (flags.shard === undefined ? result : { ...result, shard: info }),
    close: async () => server?.close(),
  };
}
