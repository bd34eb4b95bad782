// The emulation error of a run as it is saved in the result (`RunResult.emulation`): how late the
// emulated network released what it held, per delayed traversal, read from the components that
// hold (delay proxy, relay bridges, agent, forwarder; net/lateness.ts). Stated next to the overhead
// so a reader knows how much of a delta is the harness. Types only: analysis/emulation-error.ts
// computes it, report/emulation-text.ts renders it.

/** Emulation error of one path over the whole run. */
export interface EmulationError {
  /** False when nothing on the path was delayed (loopback, a real relay) or nothing was read. */
  measured: boolean;
  /** Why it was not measured. */
  reason?: string;
  /** Configured round trip of the emulated distance on this path, ms (legs × 2). */
  configuredRoundTripMs: number;
  /** Delayed traversals a request/response round trip makes: direct 2, relay-emulated 4 (two legs, both ways). */
  traversalsPerRoundTrip: number;
  /** Release time − due time of each held traversal, µs (count = traversals held over the run). */
  perTraversalErrorUs?: { count: number; mean: number; p50: number; p99: number; max: number };
  /**
   * traversalsPerRoundTrip × the per-traversal mean: the lateness a round trip collects on average
   * from the emulation's holds, µs (means add up; percentiles do not).
   */
  roundTripErrorUs?: number;
  /**
   * The whole per-traversal error `hcbench calibrate` measured through the same structure (role
   * processes, holds, hand-offs into idle processes), at the calibrated delay nearest this path's
   * mean leg; present when the run was given calibration figures (`run --calibration`).
   */
  calibrated?: CalibratedEmulationError;
  /** What the figure covers (and what it cannot see). */
  scope: string;
}

/** The calibrated error that applies to one path (see {@link EmulationError.calibrated}). */
export interface CalibratedEmulationError {
  /** The calibrated one-way delay per leg it was measured at, ms. */
  injectedMs: number;
  /** Round trip with the delay minus without, per traversal, minus the delay, µs (positive = late). */
  perTraversalErrorUs: number;
  /** traversalsPerRoundTrip × perTraversalErrorUs, µs. */
  roundTripErrorUs: number;
  /** When calibrate measured it (ISO 8601). */
  measuredAt: string;
}
