// Open-model arrival schedule: intended start times as absolute offsets from t0, for constant
// or Poisson arrivals with optional linear ramp stages. Pure: it never reads a clock; callers add
// t0 from their monotonic clock so that lateness never shifts later arrivals.
//
// Method: the cumulative arrival count Λ(t) = ∫ rate is piecewise quadratic. Arrival i happens
// at Λ⁻¹(S_i) with S_i = i (constant) or a sum of unit exponentials (Poisson, i.e. a
// non-homogeneous Poisson process by time transformation).

import type { OpenLoad } from './types.js';
import { createRandom } from '../random.js';
import { exponential } from './random-draws.js';

/** One rate segment: the rate moves linearly from `fromRate` to `toRate` (per second) over [startSec, endSec). */
interface Segment {
  startSec: number;
  endSec: number;
  fromRate: number;
  toRate: number;
  /** Λ at startSec. */
  countAtStart: number;
}

/** Iterator over intended start offsets, in nanoseconds after t0 (strictly increasing for constant arrivals). */
export interface ArrivalSchedule {
  /** Offset of the next arrival in ns after t0, or undefined when the rate stays 0 from here on. */
  next(): bigint | undefined;
}

/** Builds the schedule of an open load. The last stage's rate holds forever after the stages. */
export function createArrivalSchedule(load: OpenLoad): ArrivalSchedule {
  const segments = buildSegments(load);
  const random = createRandom(load.seed ?? 1);
  const isPoisson = load.arrivals === 'poisson';
  let target = 0;
  let index = 0;
  return {
    next(): bigint | undefined {
      target = isPoisson ? target + exponential(random) : index;
      index += 1;
      const seconds = invertCount(segments, target);
      return seconds === undefined ? undefined : BigInt(Math.round(seconds * 1e9));
    },
  };
}

/** Arrival rate per second at `seconds` after t0 (for reporting and tests). */
export function rateAt(load: OpenLoad, seconds: number): number {
  for (const s of buildSegments(load)) {
    if (seconds < s.endSec) return s.fromRate + ((s.toRate - s.fromRate) * (seconds - s.startSec)) / (s.endSec - s.startSec || 1);
  }
  return 0;
}

function buildSegments(load: OpenLoad): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  let rate = load.ratePerSec;
  let count = 0;
  for (const stage of load.stages ?? []) {
    const end = start + stage.durationMs / 1000;
    segments.push({ startSec: start, endSec: end, fromRate: rate, toRate: stage.targetRatePerSec, countAtStart: count });
    count += ((rate + stage.targetRatePerSec) / 2) * (end - start);
    start = end;
    rate = stage.targetRatePerSec;
  }
  segments.push({ startSec: start, endSec: Number.POSITIVE_INFINITY, fromRate: rate, toRate: rate, countAtStart: count });
  return segments;
}

/** The time in seconds at which Λ reaches `count`, or undefined if it never does. */
function invertCount(segments: readonly Segment[], count: number): number | undefined {
  for (const s of segments) {
    const isLast = s.endSec === Number.POSITIVE_INFINITY;
    const duration = s.endSec - s.startSec;
    const countAtEnd = isLast ? Number.POSITIVE_INFINITY : s.countAtStart + ((s.fromRate + s.toRate) / 2) * duration;
    if (isLast && s.fromRate <= 0) return undefined;
    if (count > countAtEnd) continue;
    const need = count - s.countAtStart;
    if (isLast || s.fromRate === s.toRate) return s.fromRate > 0 ? s.startSec + need / s.fromRate : s.startSec;
    // Solve a·x²/2 + r0·x = need for x in [0, duration], a = slope.
    const slope = (s.toRate - s.fromRate) / duration;
    const r0 = s.fromRate;
    const x = (-r0 + Math.sqrt(Math.max(0, r0 * r0 + 2 * slope * need))) / slope;
    return s.startSec + Math.min(Math.max(x, 0), duration);
  }
  return undefined;
}
