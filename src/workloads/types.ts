// The contract between the runner and every workload driver. A driver receives only a dial
// address, its parameters, a signal and a clock: it never knows which network path it is on.

import type { StepMetrics } from '../metrics/result.js';

/** Where a driver connects: the target itself (direct) or the app-side forwarder (relay). */
export interface DialAddress {
  host: string;
  port: number;
}

/** Monotonic time source, injectable for tests. */
export interface Clock {
  /** Monotonic time in nanoseconds (like `process.hrtime.bigint()`). */
  nowNs(): bigint;
}

export const systemClock: Clock = { nowNs: () => process.hrtime.bigint() };

/** Parameters of the chatty request/response workload (issue #2 subset; #6 extends it). */
export interface TcpRequestResponseParams {
  kind: 'tcp-request-response';
  /** Persistent connections, each running transactions back to back (closed model). >= 1. */
  connections: number;
  /** Sequential round trips per transaction. >= 1. */
  roundTripsPerTransaction: number;
  /** Bytes per request, including the 8-byte target header. >= 8. */
  requestBytes: number;
  /** Bytes per response. >= 1. */
  responseBytes: number;
  /**
   * Longest wait for one complete response, in milliseconds; a slower round trip counts as a
   * `timeout` error and the connection is replaced. Also the grace period in-flight transactions
   * get after the measured window. Optional; default 5000; valid 1..600000.
   */
  timeoutMs?: number;
  /** Longest wait for one TCP connect, in milliseconds. Optional; default 5000; valid 1..600000. */
  connectTimeoutMs?: number;
}

export type WorkloadParams = TcpRequestResponseParams;

export interface WorkloadRunOptions<P extends WorkloadParams = WorkloadParams> {
  dialAddress: DialAddress;
  params: P;
  /** Warm-up before measuring, in milliseconds; nothing from it is recorded. */
  warmupMs: number;
  /** Measured window, in milliseconds. */
  durationMs: number;
  /** Aborting ends the run early; the driver then returns what it measured so far. */
  signal: AbortSignal;
  clock: Clock;
}

/** What a driver returns: its metrics, and whether it ran its whole window. */
export interface WorkloadOutcome {
  metrics: StepMetrics;
  /** True when `signal` cut the run short. */
  isAborted: boolean;
}

/** A workload driver. Failures of the system under test are counted in the metrics, never thrown. */
export interface Workload<P extends WorkloadParams = WorkloadParams> {
  kind: P['kind'];
  run(options: WorkloadRunOptions<P>): Promise<WorkloadOutcome>;
}
