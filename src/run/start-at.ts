// `--start-at`: every shard's measured windows start at the same instants of the reference clock,
// so their intervals line up. The first step's window starts at `startAt`; each later step's at
// the previous window's end plus STEP_GAP_MS plus its own warm-up. A step waits for its warm-up
// start; one that begins late warms up for less (its window still starts on time), and one that
// begins after its window's start starts at once and says how late (`hcbench merge` then checks
// the alignment against the step's resolution). Also the empty step of a 0-connection shard.

import { pause } from '../workloads/run-window.js';
import { createLatencyHistogram, toRecord } from '../metrics/histogram.js';
import type { StepResult } from '../metrics/result.js';
import type { PlannedStep } from '../plan/build-plan.js';
import type { Clock } from '../workloads/types.js';

/** Time between one step's measured window and the next step's warm-up, ms: draining, counters, checkpoint. */
export const STEP_GAP_MS = 1_500;

/** Most a start instant may lie ahead, ms (24 h). */
export const MAX_START_AHEAD_MS = 86_400_000;

/** A pairing of the monotonic clock with the reference clock, taken once at the run's start. */
export interface ClockPairing {
  /** Monotonic ns (the run's clock). */
  ns: bigint;
  /** Reference-clock epoch ms at that instant (local wall clock + measured offset). */
  referenceMs: number;
}

/** Per step, the monotonic instant (ns) its measured window is scheduled to start. */
export function windowSchedule(steps: readonly PlannedStep[], startAtMs: number, pairing: ClockPairing): bigint[] {
  const starts: bigint[] = [];
  let windowMs = startAtMs;
  for (const [index, step] of steps.entries()) {
    if (index > 0) windowMs += (steps[index - 1]?.durationMs ?? 0) + STEP_GAP_MS + step.warmupMs;
    starts.push(pairing.ns + BigInt(Math.round((windowMs - pairing.referenceMs) * 1e6)));
  }
  return starts;
}

/** What a scheduled step runs with: its warm-up start, its (possibly shortened) warm-up, and a note when late. */
export interface ScheduledWindow {
  windowStartNs: bigint;
  warmupMs: number;
  note?: string;
}

/** Waits (bounded by `signal`) until the warm-up start before `measuredStartNs`, and returns the window to run. */
export async function awaitScheduledWindow(step: PlannedStep, measuredStartNs: bigint, clock: Clock, signal: AbortSignal): Promise<ScheduledWindow> {
  const warmupStartNs = measuredStartNs - BigInt(Math.round(step.warmupMs * 1e6));
  const waitMs = Number(warmupStartNs - clock.nowNs()) / 1e6;
  if (waitMs > 0) await pause(waitMs, signal);
  const nowNs = clock.nowNs();
  const leftMs = Number(measuredStartNs - nowNs) / 1e6;
  if (leftMs >= 0) {
    const warmupMs = Math.min(step.warmupMs, leftMs);
    const shortened = step.warmupMs - warmupMs > 1;
    return { windowStartNs: nowNs, warmupMs, ...(shortened ? { note: `start-at: warm-up shortened to ${Math.round(warmupMs)} ms to start the window on time` } : {}) };
  }
  return { windowStartNs: nowNs, warmupMs: 0, note: `start-at: the measured window started ${Math.round(-leftMs)} ms after its scheduled instant (no warm-up)` };
}

/** The result of a shard's 0-connection share of a step: nothing ran, nothing measured, and it says so. */
export function emptyStepResult(identity: Omit<Extract<StepResult, { status: 'completed' }>, 'status' | 'metrics'>, step: PlannedStep, reason: string, windowStartMs?: number): StepResult {
  const empty = createLatencyHistogram();
  const record = toRecord(empty);
  empty.destroy();
  const counters = { transactions: 0, roundTrips: 0, connectionsOpened: 0, bytesSent: 0, bytesReceived: 0, errors: {} };
  return {
    ...identity,
    status: 'completed',
    metrics: {
      durationMs: step.durationMs,
      warmupMs: 0,
      ...(windowStartMs === undefined ? {} : { windowStartMs }),
      counters,
      transactionsPerSec: 0,
      roundTripsPerSec: 0,
      histograms: { roundTrip: record, transaction: record, connect: record },
      notes: [reason],
    },
  };
}
