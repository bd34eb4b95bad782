// Shapes of a capacity search: the SLO, each probe's point on the latency-vs-rate curve, and the
// per-path outcome. Plain JSON.

import type { ConnectionPoint } from './connection-sweep.js';
import type { RemoteWriteRecord } from '../metrics/result.js';

/** What "sustained" means. A probe that breaks any bound is not sustained. */
export interface CapacitySlo {
  /** p99 response time (from the intended start) must stay at or below this, ms. */
  p99Ms: number;
  /** errors ÷ sent must stay at or below this fraction. */
  errorRate: number;
  /** dropped ÷ scheduled must stay at or below this fraction. */
  droppedRate: number;
}

/** One probe: the offered open-model rate on one path and what it got. */
export interface CapacityPoint {
  /** Offered arrival rate, per second. */
  ratePerSec: number;
  /**
   * Completions per second in the measured window, whatever the arrival's phase (an arrival queued
   * during warm-up that completes in the window counts); its response time stays out of the histograms.
   */
  achievedPerSec: number;
  /** How many response times the p50/p99 rest on (with 26 the p99 is effectively the max). */
  samples: number;
  /** False when the generator fell behind during the probe: a break there may be the generator's, not the path's. */
  isGeneratorValid: boolean;
  /** Remarks a reader must see, e.g. `p99 rests on 26 samples (< 100): effectively the max`. */
  caveats: string[];
  /** Response time (open model: completion − intended start), µs. */
  p50Us: number;
  p99Us: number;
  errorRate: number;
  droppedRate: number;
  /** True when every SLO bound held. */
  isSustained: boolean;
  /** Which bounds broke, lower case, e.g. `p99 312 ms > 100 ms`. */
  violations: string[];
}

/** The outcome of the search on one path. */
export interface PathCapacity {
  pathId: string;
  pathKind: string;
  /** Highest offered rate that held the SLO; null when even the lowest probe broke it. */
  maxSustainedPerSec: number | null;
  /** Lowest offered rate that broke the SLO; null when none did up to the maximum rate. */
  lowestBreakingPerSec: number | null;
  /**
   * Knee of the curve: the last sustained point before p99 exceeds twice its value at the lowest
   * probed rate (where queueing starts to show). Null without sustained points.
   */
  knee: { ratePerSec: number; p99Us: number } | null;
  /** Every probe, by offered rate. */
  curve: CapacityPoint[];
  /**
   * Why the reported figures cannot be taken as the path's: the first break came with the
   * generator falling behind, or no rate can meet the SLO (its p99 bound is below the path's
   * latency without load). Absent when the search found the path's own ceiling.
   */
  verdict?: { kind: 'generator-limited' | 'slo-unreachable'; message: string };
}

/** The whole capacity report. */
export interface CapacityReport {
  scenario: string;
  workloadId: string;
  slo: CapacitySlo;
  /** Measured window and warm-up of each probe, ms. */
  probeDurationMs: number;
  probeWarmupMs: number;
  paths: PathCapacity[];
  /** Limit warnings and search remarks. */
  warnings: string[];
  /** Connection sweep (closed model, one probe per count and path), when asked for. */
  connectionSweep?: ConnectionPoint[];
  /** Relay usage of all the probes: listener-hours and GB, and cost when prices were given. */
  relayUsage: { listenerHours: number; gigabytes: number; cost: number | null; summary: string };
  /** What the live export sent and dropped (`--out prometheus-rw=URL`). */
  remoteWrite?: RemoteWriteRecord;
}
