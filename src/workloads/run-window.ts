// The time frame of one driver run: warm-up and measured window on the injected clock, plus a
// stop signal that fires on the caller's abort or at a hard real-time deadline. Shared by all
// drivers so they agree on phases and on how long a run may take at most.

import { setMaxListeners } from 'node:events';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import type { Phase } from '../metrics/recorder.js';
import type { Clock } from './types.js';

/** Window boundaries in clock nanoseconds. */
export interface RunWindow {
  startNs: bigint;
  warmupEndNs: bigint;
  endNs: bigint;
}

/**
 * A window starting at `startNs` (default now): `warmupMs` of warm-up, then `durationMs` measured.
 * Generator threads are given one shared start, so their windows are the same span of time.
 */
export function createRunWindow(clock: Clock, warmupMs: number, durationMs: number, startNs: bigint = clock.nowNs()): RunWindow {
  const warmupEndNs = startNs + msToNs(warmupMs);
  return { startNs, warmupEndNs, endNs: warmupEndNs + msToNs(durationMs) };
}

/** The phase an event at `ns` belongs to, or undefined once the window has ended. */
export function phaseAt(window: RunWindow, ns: bigint): Phase | undefined {
  if (ns >= window.endNs) return undefined;
  return ns < window.warmupEndNs ? 'warmup' : 'measured';
}

/** Measured length to report: the configured one, or what elapsed of it when aborted early. */
export function measuredDurationMs(window: RunWindow, configuredMs: number, isAborted: boolean, nowNs: bigint): number {
  if (!isAborted) return configuredMs;
  const end = nowNs < window.endNs ? nowNs : window.endNs;
  const elapsedNs = end - window.warmupEndNs;
  return elapsedNs > 0n ? Number(elapsedNs) / 1e6 : 0;
}

/** An internal stop: aborted by the caller's signal, by `stopNow()`, or at the hard deadline. */
export interface Stopper {
  signal: AbortSignal;
  /** Arms the real-time deadline, in ms from now; a later call replaces it. */
  armDeadline(ms: number): void;
  stopNow(): void;
  /** Removes listeners and timers; call in `finally`. */
  dispose(): void;
}

export function createStopper(callerSignal: AbortSignal): Stopper {
  const controller = new AbortController();
  // Every connection's waits listen on this signal (and remove their listener when done).
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => controller.abort();
  callerSignal.addEventListener('abort', onAbort, { once: true });
  if (callerSignal.aborted) controller.abort();
  let deadline: NodeJS.Timeout | undefined;
  return {
    signal: controller.signal,
    armDeadline(ms) {
      clearTimeout(deadline);
      deadline = setTimeout(() => controller.abort(), ms);
    },
    stopNow: () => controller.abort(),
    dispose() {
      clearTimeout(deadline);
      callerSignal.removeEventListener('abort', onAbort);
    },
  };
}

/** Sleeps at least `ms` on the monotonic clock (ignored if <= 0); resolves early, without throwing, when `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  // A libuv timer is due against the loop's cached time, which can be up to ~1 ms stale: a plain
  // sleep may end early on the monotonic clock. Sleep again for what is left (a few turns at most).
  const endMs = performance.now() + ms;
  try {
    for (let turn = 0; turn < 5; turn++) {
      const leftMs = endMs - performance.now();
      if (leftMs <= 0) return;
      await sleep(turn === 0 ? ms : Math.max(1, Math.ceil(leftMs)), undefined, { signal });
    }
  } catch {
    // Aborted: callers check the signal next.
  }
}

/** Default busy-wait window before a scheduled instant, ms (see OpenLoad.spinWaitMs). */
export const DEFAULT_SPIN_WAIT_MS = 1.5;

/**
 * Waits until the clock reaches `targetNs`: a timer for the coarse part, then event-loop turns
 * (setImmediate, so I/O keeps flowing) for the last `spinWaitMs`, because timers only have 1 ms
 * resolution and open-model dispatch should be sub-millisecond. With 0 it only sleeps (returns
 * up to ~1 ms late). Bounded by `signal`.
 */
export async function waitUntil(clock: Clock, targetNs: bigint, signal: AbortSignal, spinWaitMs = DEFAULT_SPIN_WAIT_MS): Promise<void> {
  const spinNs = msToNs(spinWaitMs);
  for (let turns = 0; turns < 10_000_000 && !signal.aborted; turns++) {
    const leftNs = targetNs - clock.nowNs();
    if (leftNs <= 0n) return;
    // A timer may fire ~1 ms late, and under 1 ms it runs as 1 ms: sleep only while that keeps the spin window.
    if (spinNs === 0n) await pause(Math.max(Number(leftNs) / 1e6, 1), signal);
    else if (leftNs - spinNs >= 1_000_000n) await pause(Math.floor(Number(leftNs - spinNs) / 1e6), signal);
    else await yieldToLoop();
  }
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}
