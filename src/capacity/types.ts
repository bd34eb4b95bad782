// Shapes of a capacity search: the SLO, each probe's point on the latency-vs-rate curve, and the
// per-path outcome. Plain JSON.

import type { ConnectionPoint } from './connection-sweep.js';

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
  /** Completed transactions per second over the measured window. */
  achievedPerSec: number;
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
}
