// Load-shaping types shared by the workload drivers: connection use, size distributions, the
// closed and open load models, retries. Types only; the scheduling code lives in schedule.ts.

/** How connections are used by a request/response workload. */
export type ConnectionMode = 'persistent' | 'perTransaction';

/**
 * A size in bytes drawn per use. `uniform`: integer uniform in [minBytes, maxBytes];
 * `choice`: one of `bytes`, with optional relative `weights` (same length, each >= 0, sum > 0).
 */
export type SizeDistribution =
  | { distribution: 'uniform'; minBytes: number; maxBytes: number }
  | { distribution: 'choice'; bytes: number[]; weights?: number[] };

/** Closed model: each connection (or slot) starts its next transaction when the previous one ends. */
export interface ClosedLoad {
  model: 'closed';
}

/** One ramp stage: the arrival rate moves linearly to `targetRatePerSec` over `durationMs`. */
export interface RateStage {
  /** Stage length in milliseconds, >= 1. */
  durationMs: number;
  /** Rate at the end of the stage, arrivals per second, >= 0. */
  targetRatePerSec: number;
}

/**
 * Open model: transactions arrive on a schedule independent of responses. Intended start times
 * come from an absolute monotonic clock (t0 + schedule), never from the previous completion; all
 * latencies of the open model are measured from the intended start (response time), next to the
 * service time (from the actual dispatch) and the dispatch lag (dispatch − intended).
 * The schedule starts with the warm-up; after the last stage the last rate holds.
 */
export interface OpenLoad {
  model: 'open';
  /** `constant`: evenly spaced arrivals; `poisson`: exponential gaps (seeded). Default `constant`. */
  arrivals?: 'constant' | 'poisson';
  /** Arrival rate at t0, per second; > 0 unless stages follow. Valid 0..1000000. */
  ratePerSec: number;
  /** Optional ramp stages (k6 `ramping-arrival-rate` style), applied in order from t0. */
  stages?: RateStage[];
  /** Seed of the Poisson generator. Optional; default 1; any integer. */
  seed?: number;
  /**
   * When no slot is free at an arrival: `queue` (default) waits in one global FIFO that any free
   * slot serves, timing still from the intended start (wrk2); `drop` skips and counts it (k6).
   */
  whenBehind?: 'queue' | 'drop';
  /** Most transactions in flight at once; optional, default and maximum `connections`. >= 1. */
  maxInFlight?: number;
  /** Longest queue in `queue` mode; arrivals beyond it are dropped. Optional; default 100000; >= 1. */
  maxQueue?: number;
  /**
   * A transaction whose dispatch lag (the generator's own lateness, pool wait excluded) exceeds
   * this many milliseconds counts as late. Optional; default 1; >= 0.
   */
  lateThresholdMs?: number;
  /**
   * Between arrivals the generator sleeps on a timer (1 ms resolution), then turns the event
   * loop (I/O keeps flowing) for the last `spinWaitMs` for sub-millisecond dispatch; each wake
   * dispatches every arrival that is due by then. Above about
   * 1/spinWaitMs arrivals per second that costs most of a core, which on a small machine is taken
   * from the path under test; 0 saves it at about 1 ms of dispatch lag (still measured and
   * counted). Optional; default 1.5; valid 0..5.
   */
  spinWaitMs?: number;
}

/** How transactions are scheduled. */
export type LoadModel = ClosedLoad | OpenLoad;

/**
 * Retry policy. Retried attempts are counted (`retries`, `retriedErrors`) and kept out of the
 * successful attempt's latency. Retried: failed connects, and (request/response, churn) a new
 * connection closed or reset before its first response byte, which is how a relay refusal
 * (no listener, 401/403, rendezvous failure) looks from the app side.
 */
export interface RetryPolicy {
  /** Extra attempts after a failed connect or refusal. Optional; default 0; valid 0..10. */
  attempts: number;
  /** Wait before the first retry, in milliseconds, doubling per retry. Optional; default 10; valid 0..10000. */
  backoffMs?: number;
}
