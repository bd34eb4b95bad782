// `hcbench calibrate`'s measuring sequence: noise floor (timer, idle event loop, busy-loop stalls,
// loopback RTT), accuracy of injected delays (1, 5, 20 ms per leg, direct proxy and relay legs,
// through the role processes and mechanisms a run uses: delay-accuracy.ts), and the smallest
// resolvable overhead difference. Returns plain data; progress through a callback; never prints.

import { measureCpuStalls } from './cpu-stalls.js';
import { measureEventLoopDelay } from './event-loop.js';
import { measureDelayAccuracy } from './delay-accuracy.js';
import { startEchoServer, tcpPingPongUs } from './ping-pong.js';
import { measureTimer, medianOf, summarizeUs } from './timer.js';
import type { CalibrationResult, DelayAccuracy, Resolution } from '../metrics/calibration-result.js';
import { bounded } from '../bounded.js';

/** Longest any one calibration phase may take, ms (the slowest, injected delays through the role processes, takes about a minute). */
export const PHASE_TIMEOUT_MS = 300_000;

/** The delays issue #3 asks for, ms per leg. */
export const CALIBRATION_DELAYS_MS = [1, 5, 20] as const;

/** Delays at or above this many ms must be within {@link DELAY_ERROR_BOUND_PERCENT}. */
export const BOUNDED_FROM_MS = 5;
export const DELAY_ERROR_BOUND_PERCENT = 5;

export interface CalibrationOptions {
  /** Fewer samples (about a third of the time); figures are noisier. Default false. */
  isQuick?: boolean;
  /** Delays to inject, ms per leg. Default 1, 5, 20. */
  delaysMs?: readonly number[];
  onProgress?: (message: string) => void;
  /** Ctrl-C: every phase ends with an InterruptedError naming it. */
  signal?: AbortSignal;
  /** Wall clock for `measuredAt`, epoch ms. Default Date.now. */
  nowMs?: () => number;
}

/** Standard deviation (population) of a list. */
function stdDev(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
}

/** 1.96·√2·σ of window medians, floored at the timer resolution (µs). */
export function resolvableDifferenceUs(windowMediansUs: readonly number[], timerResolutionUs: number): number {
  return Math.max(timerResolutionUs, 1.96 * Math.SQRT2 * stdDev(windowMediansUs));
}

/** True when every delay >= 5 ms has an error under 5 %. */
export function isWithinBound(delays: readonly DelayAccuracy[]): boolean {
  return delays.filter((d) => d.injectedMs >= BOUNDED_FROM_MS).every((d) => d.errorPercent < DELAY_ERROR_BOUND_PERCENT);
}

export async function runCalibration(options: CalibrationOptions = {}): Promise<CalibrationResult> {
  const nowMs = options.nowMs ?? Date.now;
  const progress = options.onProgress ?? (() => undefined);
  const isQuick = options.isQuick ?? false;
  const started = nowMs();
  const startedHr = process.hrtime.bigint();
  const { signal } = options;
  const phase = <T,>(what: string, work: () => Promise<T>): Promise<T> =>
    bounded(signal?.aborted === true ? Promise.reject(new Error('not started')) : work(), { what: `calibrate: ${what}`, signal, timeoutMs: PHASE_TIMEOUT_MS });

  progress('timer resolution');
  const timer = await phase('timer resolution', () => measureTimer(isQuick ? 50 : 200));
  progress('event-loop delay (idle)');
  const eventLoopDelay = await phase('event-loop delay', () => measureEventLoopDelay(isQuick ? 500 : 2000, signal));

  progress('busy-loop stalls');
  const cpuStalls = measureCpuStalls(isQuick ? 500 : 2000);

  progress('loopback round trips');
  const echo = await phase('echo server start', () => startEchoServer());
  const windows = 5;
  const roundTripsPerWindow = isQuick ? 100 : 400;
  const windowMedians: number[] = [];
  const all: number[] = [];
  try {
    for (let w = 0; w < windows; w += 1) {
      const rtts = await phase('loopback round trips', () => tcpPingPongUs(echo.address, roundTripsPerWindow));
      windowMedians.push(medianOf(rtts));
      all.push(...rtts);
    }
  } finally {
    await echo.close();
  }
  const timerResolutionUs = Math.max(timer.hrtimeResolutionNs / 1000, 1);
  const resolution: Resolution = {
    windows,
    roundTripsPerWindow,
    windowMedianStdDevUs: Math.round(stdDev(windowMedians) * 10) / 10,
    resolvableDifferenceUs: Math.round(resolvableDifferenceUs(windowMedians, timerResolutionUs) * 10) / 10,
  };

  const delaysMs = options.delaysMs ?? CALIBRATION_DELAYS_MS;
  progress(`injected delays ${delaysMs.join(', ')} ms per leg (direct delay proxy, relay legs)`);
  const delays = await phase('injected delays', () => measureDelayAccuracy(delaysMs, { isQuick, onProgress: progress, ...(signal === undefined ? {} : { signal }) }));

  return {
    calibrationVersion: 1,
    measuredAt: new Date(started).toISOString(),
    durationMs: Math.round(Number(process.hrtime.bigint() - startedHr) / 1e6),
    noiseFloor: { timer, eventLoopDelay, loopbackRtt: summarizeUs(all), cpuStalls },
    delays,
    resolution,
    isDelayAccuracyWithinBound: isWithinBound(delays),
  };
}
