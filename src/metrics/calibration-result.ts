// Result shapes of `hcbench calibrate`: the machine's noise floor and the accuracy of injected
// network delays. Plain JSON (saved with --save, attached to a run's environment), part of the
// result format; src/calibrate measures them. Types only.

/** Percentiles of a set of durations, integer microseconds. */
export interface DurationSummaryUs {
  count: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/** How finely this machine measures time. */
export interface TimerFigures {
  /** Smallest non-zero step between consecutive `process.hrtime.bigint()` reads, nanoseconds. */
  hrtimeResolutionNs: number;
  /** Lateness of `setTimeout(fn, 1)` beyond its 1 ms, µs (why delay lines poll the last 1.5 ms). */
  setTimeoutLateness: DurationSummaryUs;
}

/** Stalls of a busy loop (src/calibrate/cpu-stalls.ts): how much a runnable process is kept off the CPU. */
export interface CpuStalls {
  /** How long the loop ran, ms. */
  durationMs: number;
  /** Smallest gap between two clock reads counted as a stall, µs. */
  thresholdUs: number;
  /** Stalls counted. */
  stalls: number;
  /** Share of the loop's time spent in stalls, percent. */
  stalledPercent: number;
  longestUs: number;
  /**
   * p99 lateness of arrivals at random instants served by a generator that costs nothing, µs: a
   * floor under any open-model dispatch-lag p99 measured on this machine at that time.
   */
  idealLagP99Us: number;
}

/** The machine's noise floor while calibrate ran. */
export interface NoiseFloor {
  timer: TimerFigures;
  /** perf_hooks monitorEventLoopDelay of an idle loop (10 ms sampling), µs. */
  eventLoopDelay: DurationSummaryUs;
  /** 64 B TCP ping-pong over loopback to an in-process echo server, µs. */
  loopbackRtt: DurationSummaryUs;
  /** A busy loop's stalls (absent from calibrations saved before 2026-12-02). */
  cpuStalls?: CpuStalls;
}

/** Where a delay was injected. */
export type DelayMechanism = 'direct-delay-proxy' | 'relay-legs';

/** One injected delay, measured against a zero-delay baseline through the same mechanism. */
export interface DelayAccuracy {
  mechanism: DelayMechanism;
  /** Injected one-way delay per leg, ms. */
  injectedMs: number;
  /** Leg traversals per round trip: 2 for the direct proxy (there and back), 4 for the relay (two legs, both ways). */
  traversalsPerRoundTrip: number;
  /** Round trips measured with the delay (and as many without). */
  samples: number;
  /** Median round trip with the delay minus the median without, divided by the traversals, µs. */
  measuredPerLegUs: number;
  /** measured − injected, µs (positive = late). */
  errorUs: number;
  /** |error| ÷ injected, percent. */
  errorPercent: number;
  /**
   * (fastest round trip with − fastest without) ÷ traversals − injected, µs: the mechanism's own
   * error with the machine's scheduling noise mostly removed (a delay line never delivers early).
   */
  floorErrorUs: number;
}

/** The smallest overhead difference a run of this shape can tell from noise. */
export interface Resolution {
  /** Windows of loopback ping-pong whose medians were compared. */
  windows: number;
  /** Round trips per window. */
  roundTripsPerWindow: number;
  /** Standard deviation of the window medians, µs. */
  windowMedianStdDevUs: number;
  /**
   * 1.96·√2·σ (a 95 % two-sided difference of two independent window medians), never below the
   * timer's resolution: the smallest p50 difference between two paths this machine resolves, µs.
   */
  resolvableDifferenceUs: number;
}

/** Everything `hcbench calibrate` measured. */
export interface CalibrationResult {
  /** Bump on incompatible changes. */
  calibrationVersion: 1;
  measuredAt: string;
  /** Total time calibrate took, ms. */
  durationMs: number;
  noiseFloor: NoiseFloor;
  delays: DelayAccuracy[];
  resolution: Resolution;
  /** True when every injected delay of 5 ms or more is within 5 % (issue #3's bound). */
  isDelayAccuracyWithinBound: boolean;
}
