// The contract between the runner and every workload driver. A driver receives only a dial
// address, its parameters, a signal and a clock: it never knows which network path it is on.

import type { LiveInterval, TransactionOutcome } from '../metrics/recorder.js';
import type { StepMetrics } from '../metrics/result.js';
import type { ConnectionMode, LoadModel, RetryPolicy, SizeDistribution } from './load-types.js';
import type { Clock } from './clock.js';

export type { ConnectionMode, LoadModel, OpenLoad, RetryPolicy, SizeDistribution } from './load-types.js';
export { systemClock, type Clock } from './clock.js';

/** Where a driver connects: the target itself (direct) or the app-side forwarder (relay). */
export interface DialAddress {
  host: string;
  port: number;
}


/**
 * Parameters of the chatty request/response workload against the built-in target's protocol:
 * transactions of `roundTripsPerTransaction` sequential round trips (write a request, wait for
 * exactly the response size the request asked for).
 */
export interface TcpRequestResponseParams {
  kind: 'tcp-request-response';
  /**
   * Concurrency: persistent connections (or, `perTransaction`, connections at once). Closed model:
   * each runs transactions back to back; open model: at most this many transactions in flight. >= 1.
   */
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
  /**
   * When present, each request's size (bytes, header included) is drawn from this distribution
   * instead of `requestBytes`; every drawn size is clamped to >= 8. Optional.
   */
  requestBytesDistribution?: SizeDistribution;
  /** When present, each response's size (bytes) is drawn from this distribution instead of `responseBytes`; >= 1. Optional. */
  responseBytesDistribution?: SizeDistribution;
  /** Pause between consecutive round trips of one transaction, in milliseconds (in the transaction time, not in round-trip time). Optional; default 0; valid 0..60000. */
  thinkTimeMs?: number;
  /**
   * `persistent` (default): `connections` long-lived connections, pooled; `perTransaction`: every
   * transaction connects, does its round trips and closes (at most `connections` at once).
   */
  connectionMode?: ConnectionMode;
  /** Load model; optional, default `{ model: 'closed' }`. In the open model `connections` bounds concurrency. */
  load?: LoadModel;
  /** Retry policy for failed connects and refused new connections; optional, default no retries. */
  retry?: RetryPolicy;
  /** Seed of the size distributions' random generator. Optional; default 1; any integer. */
  seed?: number;
  /**
   * Worker threads generating the load, so one core does not cap it. `connections`, the open
   * model's rates, `maxInFlight` and `maxQueue` are split evenly; Poisson seeds differ per thread
   * (seed + i); histograms are merged exactly. Optional; default 1; valid 1..16 and <= `connections`.
   */
  generators?: number;
}

/**
 * Connection churn (TCP_CRR-like): each transaction connects, does one request/response exchange
 * with the built-in target's protocol, and closes. Records connect time, time to first response
 * byte and close time; notes local port exhaustion.
 */
export interface ConnectionChurnParams {
  kind: 'connection-churn';
  /** Most connections in flight at once (closed model: workers). >= 1. */
  connections: number;
  /** Bytes of the one request, header included. Optional; default 64; >= 8. */
  requestBytes?: number;
  /** Bytes of the one response. Optional; default 64; >= 1. */
  responseBytes?: number;
  /** Load model; optional, default closed. Use `{ model: 'open', ratePerSec }` for a connection rate. */
  load?: LoadModel;
  /** Longest wait for the response, ms. Optional; default 5000; valid 1..600000. */
  timeoutMs?: number;
  /** Longest wait for one TCP connect, ms. Optional; default 5000; valid 1..600000. */
  connectTimeoutMs?: number;
  /** Retry policy for failed connects; optional, default none. */
  retry?: RetryPolicy;
  /**
   * Worker threads generating the load, so one core does not cap it. `connections`, the open
   * model's rates, `maxInFlight` and `maxQueue` are split evenly; Poisson seeds differ per thread
   * (seed + i); histograms are merged exactly. Optional; default 1; valid 1..16 and <= `connections`.
   */
  generators?: number;
}

/**
 * Bulk transfer over `connections` connections to the built-in target: upload (target discards),
 * download (target streams), or both, for the measured window or until `totalBytes`. Throughput
 * is recorded per interval; an optional ping-pong probe on its own connection measures latency
 * inflation while the stream runs.
 */
export interface TcpStreamParams {
  kind: 'tcp-stream';
  direction: 'upload' | 'download' | 'both';
  /** Parallel stream connections. Optional; default 1; valid 1..1000. */
  connections?: number;
  /** Stop each direction of each connection after this many payload bytes. Optional; default unbounded (the window ends it); >= 1. */
  totalBytes?: number;
  /** Bytes per write when uploading. Optional; default 65536; valid 1..16777216. */
  chunkBytes?: number;
  /** Throughput sampling interval, ms. Optional; default 100; valid 10..60000. */
  intervalMs?: number;
  /** Optional latency probe: round trips at `ratePerSec` on a separate connection (into `roundTrip`). */
  probe?: { ratePerSec: number; requestBytes?: number; responseBytes?: number };
}

/**
 * HTTP/1.1 load through autocannon's programmatic API (its coordinated-omission correction off),
 * latencies re-recorded in integer µs into hcbench's histograms. One request = one transaction =
 * one round trip. Non-2xx responses count as `mismatch` errors.
 */
export interface HttpParams {
  kind: 'http';
  /** Concurrent connections. >= 1. */
  connections: number;
  /** Requests in flight per connection (HTTP pipelining). Optional; default 1; valid 1..100. */
  pipelining?: number;
  /** Method. Optional; default `GET`. */
  method?: string;
  /** Request path with query. Optional; default `/`. */
  path?: string;
  /** Extra request headers. Optional. */
  headers?: Record<string, string>;
  /** Request body (UTF-8). Optional. */
  body?: string;
  /**
   * Total request rate per second across connections (autocannon `overallRate`). Optional;
   * default unlimited (closed model). Beware: autocannon enforces it per one-second bucket, so
   * requests go out in a burst at the start of each second; for a smooth open model use a TCP workload.
   */
  ratePerSec?: number;
  /** Per-request timeout, ms, whole seconds (autocannon times out in seconds). Optional; default 10000; valid 1000..600000. */
  timeoutMs?: number;
}

/** Bytes in a dialog step: text with escapes (\r \n \t \0 \\ \xNN), hex or base64. */
export type DialogEncoding = 'text' | 'hex' | 'base64';

/** What a dialog `expect` step waits for. */
export type DialogExpectation =
  /** Exactly these bytes next. */
  | { exact: string; encoding?: DialogEncoding }
  /** Exactly this many bytes (any content). >= 1. */
  | { bytes: number }
  /**
   * Bytes up to and including the first match of this regular expression in the bytes received
   * so far (latin1 text). End the pattern with a delimiter such as `\r\n`: a match is final.
   */
  | { regex: string }
  /** Bytes up to and including this delimiter (text with escapes). */
  | { until: string };

/** One dialog step: write bytes, or wait for a response. */
export type DialogStep =
  | { send: string; encoding?: DialogEncoding }
  | { expect: DialogExpectation; /** This step's timeout, ms. Optional; default the dialog's `timeoutMs`. */ timeoutMs?: number };

/**
 * A scripted exchange for real protocols (Redis, SMTP, line protocols). A transaction runs all
 * `steps` once; each send → expect pair is one round trip (timed from the send to the match).
 */
export interface DialogParams {
  kind: 'dialog';
  /** Connections (closed) or most in flight (open). >= 1. */
  connections: number;
  /** Steps of one transaction, in order; at least one `expect`. */
  steps: DialogStep[];
  /** Steps run once on every new connection before its first transaction (greeting, AUTH). Optional. */
  setup?: DialogStep[];
  /** `persistent` (default) or `perTransaction`. */
  connectionMode?: ConnectionMode;
  /** Load model; optional, default closed. */
  load?: LoadModel;
  /** Default per-step timeout, ms. Optional; default 5000; valid 1..600000. */
  timeoutMs?: number;
  /** Longest wait for one TCP connect, ms. Optional; default 5000. */
  connectTimeoutMs?: number;
  /** Retry policy for failed connects; optional, default none. */
  retry?: RetryPolicy;
  /**
   * Worker threads generating the load, so one core does not cap it. `connections`, the open
   * model's rates, `maxInFlight` and `maxQueue` are split evenly; Poisson seeds differ per thread
   * (seed + i); histograms are merged exactly. Optional; default 1; valid 1..16 and <= `connections`.
   */
  generators?: number;
}

/** Arrivals as recorded: conversations start at their recorded offsets (divided by `speed`), the trace repeating. */
export interface AsRecordedLoad {
  model: 'as-recorded';
}

/**
 * Replays a trace written by `hcbench record`: each conversation on its own connection, turn by
 * turn, with the recorded think times. A turn is a round trip when it has a response; a
 * conversation is a transaction.
 */
export interface ReplayParams {
  kind: 'replay';
  /** The trace file; a relative path is resolved against the scenario file's folder when it loads. */
  trace: string;
  /**
   * `built-in`: the built-in target answers each turn with the recorded size after the recorded
   * server time (sizes-only traces work); `recorded`: the recorded bytes go to the scenario's
   * external target and the recorded response size is awaited (needs `--payload full`).
   */
  target: 'built-in' | 'recorded';
  /** Think times and as-recorded arrival gaps are divided by this; server times are kept. Optional; default 1; > 0. */
  speed?: number;
  /**
   * Most conversations at once: the trace's peak (`as-recorded`) or N. Default: the trace's peak
   * for the closed and open models; for the as-recorded model no cap (up to 10000), because its
   * arrivals do not wait for responses.
   */
  connections?: number | 'as-recorded';
  /** `as-recorded` (default), `closed` (N conversations back to back) or `open` (conversations per second). */
  load?: LoadModel | AsRecordedLoad;
  /** Longest wait for one response, ms. Optional; default 5000. */
  timeoutMs?: number;
  /** Longest wait for one TCP connect, ms. Optional; default 5000. */
  connectTimeoutMs?: number;
}

/** Parameters of any workload, discriminated by `kind` (kinds join as their drivers land). */
export type WorkloadParams = TcpRequestResponseParams | ConnectionChurnParams | TcpStreamParams | HttpParams | DialogParams | ReplayParams;

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
  /** Called once per finished interval (1 s) of the measured window with its figures; optional. */
  onInterval?: (interval: LiveInterval) => void;
  /**
   * Called as each transaction ends (warm-up included): success with its dispatch time, or the
   * error kind counted. Optional; drivers on the load loop report both, others errors only; not
   * called with `generators` > 1 (the threads' recorders are apart).
   */
  onOutcome?: (outcome: TransactionOutcome) => void;
  /**
   * Start of the warm-up on `clock` (ns), shared by every generator thread of a step so that their
   * windows are one span of time; default: when the driver starts.
   */
  windowStartNs?: bigint;
  /**
   * The path's configured network round trip, µs, when hcbench emulates the distance: a driver that
   * waits for replies keeps itself hot from shortly before each is due (net/keep-hot.ts), so the
   * instrument's own wake-up after idling for the distance is not measured as distance. Optional.
   */
  expectedRoundTripUs?: number;
  /**
   * A driver whose own hard deadline is longer than its window (a replay of conversations recorded
   * longer than it) reports that deadline here, ms from now, so the step watchdog waits for it plus
   * its grace instead of failing a step that is still within its bounds. Optional.
   */
  extendDeadline?: (ms: number) => void;
}

/** What a driver returns: its metrics, and whether it ran its whole window. */
export interface WorkloadOutcome {
  metrics: StepMetrics;
  /** True when `signal` cut the run short. */
  isAborted: boolean;
  /** The warm-up start actually used, when the driver moved it (generator threads wait until all are ready). */
  windowStartNs?: bigint;
}

/** A workload driver. Failures of the system under test are counted in the metrics, never thrown. */
export interface Workload<P extends WorkloadParams = WorkloadParams> {
  kind: P['kind'];
  run(options: WorkloadRunOptions<P>): Promise<WorkloadOutcome>;
}
