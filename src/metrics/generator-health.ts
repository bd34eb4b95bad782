// Result shapes of the load generator's health over one step (part of RunResult, re-exported by
// result.ts): plain serialisable JSON.

import type { LatencySummary } from './latency-summary.js';

/** Load-generator health over one step (measured window). */
export interface GeneratorHealth {
  /** Event-loop delay of the generating thread (perf_hooks monitorEventLoopDelay, 1 ms sampling), integer µs. */
  eventLoopDelay: LatencySummary;
  /** Process CPU (user + system) over the window, percent of one core. */
  cpuPercent: number;
  /** Generator threads used (`generators`). */
  generators: number;
  /**
   * The generator's own timing error over the window (how late it acted when it was free to act):
   * per rank, the larger of its event-loop delay and (open model) its dispatch lag, µs.
   */
  noise?: GeneratorNoise;
  /**
   * Statistics of this step's histograms the noise spoils, e.g. `roundTrip.p99.9`, and
   * `transactionsPerSec` when a closed-model generator saturated its CPU. See
   * analysis/statistic-trust.ts for the rule.
   */
  untrusted?: string[];
  /** False when any statistic of the step is untrusted (see `invalidReasons`); results are still written. */
  isValid: boolean;
  /** Why, one line per untrusted statistic, e.g. `roundTrip.p99.9 240 µs: generator timing error at p99.99 1800 µs > tolerance 200 µs`. */
  invalidReasons: string[];
}

/** The generator's timing error at the ranks the trust rule reads, µs. */
export interface GeneratorNoise {
  /** Event-loop samples behind it. */
  samples: number;
  /** Mean timing error (judges means: a mean is off by exactly the mean error). */
  meanUs: number;
  /** Lower ranks (absent in results before they were recorded): they let the rank-shift bound trust a statistic (analysis/statistic-trust.ts). */
  p50Us?: number;
  p75Us?: number;
  p90Us?: number;
  p95Us: number;
  p99Us: number;
  p999Us: number;
  p9999Us: number;
  maxUs: number;
}
