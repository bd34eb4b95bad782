// Result shapes: the plain, serialisable JSON a run produces. Reporters read only these types,
// so any saved result can be re-rendered. No classes, no Date objects: ISO strings and numbers.

import type { RunAnalysis } from './analysis-result.js';
import type { CalibrationResult } from './calibration-result.js';

import type { EmulationError } from './emulation.js';
import type { FaultEvent } from './fault-event.js';
import type { GeneratorHealth } from './generator-health.js';
import type { StepCounters } from './step-counters.js';
import type { LatencySummary } from './latency-summary.js';
import type { ReplayStepMetrics } from './replay-metrics.js';
import type { MergeInfo, ShardInfo } from './shard-info.js';

export type { FaultEvent } from './fault-event.js';
export type { GeneratorHealth, GeneratorNoise } from './generator-health.js';
export type { ErrorKind, StepCounters } from './step-counters.js';
export type { LatencySummary } from './latency-summary.js';
export type { ClockOffset, MergeInfo, MergedShard, ShardInfo } from './shard-info.js';

/** Bump on any incompatible change of RunResult; readers refuse newer major versions. */
export const RESULT_SCHEMA_VERSION = 1;

/** One recorded metric: its summary plus the whole histogram, compressed (HdrHistogram base64). */
export interface HistogramRecord {
  /** Unit of every recorded value. Always microseconds in this version. */
  unit: 'us';
  summary: LatencySummary;
  /** `encodeIntoCompressedBase64` of the histogram; decode to recompute or merge. */
  encoded: string;
}

/** What one workload run on one path measured (after warm-up). */
export interface StepMetrics {
  /** Measured window length in milliseconds (excludes warm-up). */
  durationMs: number;
  /** Warm-up length in milliseconds; nothing from it is in the histograms or counters. */
  warmupMs: number;
  /** Measured window's start, ms after the run's start (monotonic clock; .hlog). Absent in older results. */
  windowStartMs?: number;
  counters: StepCounters;
  /** Transactions per second over the measured window. */
  transactionsPerSec: number;
  /** Round trips per second over the measured window. */
  roundTripsPerSec: number;
  histograms: {
    /** One request/response exchange, write of the first request byte to the last response byte. */
    roundTrip: HistogramRecord;
    /** One transaction: all of its round trips, start of the first to end of the last. */
    transaction: HistogramRecord;
    /** TCP connect of a new connection to the dial address (local forwarder on the relay path). */
    connect: HistogramRecord;
    /** New connections: connect start to the first response byte (the relay rendezvous shows here). */
    firstByte?: HistogramRecord;
    /** Open model: completion − intended start (what users feel). */
    responseTime?: HistogramRecord;
    /** Open model: completion − actual dispatch (what the path took). */
    serviceTime?: HistogramRecord;
    /**
     * Open model: the generator's own lateness — how late it dispatched an arrival when it was
     * free to (late wake-up for the arrival, late hand-over once a slot freed). Pool wait excluded.
     */
    dispatchLag?: HistogramRecord;
    /**
     * Open model: how long an arrival waited for a free slot (a pooled connection, or an in-flight
     * slot), 0 when one was free. The system's queueing, part of response time:
     * responseTime = dispatchLag + poolWait + serviceTime.
     */
    poolWait?: HistogramRecord;
    /** Connection churn: our `end()` until the socket is fully closed. */
    close?: HistogramRecord;
  };
  /** How latencies were timed; absent means closed model timed from the actual send. */
  timing?: StepTiming;
  /** Bulk streams: throughput per interval, per direction. */
  throughput?: { upload?: ThroughputRecord; download?: ThroughputRecord };
  /** Health of the load generator during the step; `isValid: false` flags a run that fell behind. */
  generator?: GeneratorHealth;
  /** Human-readable remarks of the driver (e.g. local port exhaustion), lower case. */
  notes?: string[];
  /**
   * Counters of the warm-up phase (not in `counters`, nothing in the histograms), kept so that
   * bytes and transactions can be reconciled with what a target saw over the whole run.
   */
  warmupCounters?: StepCounters;
  /**
   * Interval histograms of the measured window (e.g. one per second), in time order, for latency
   * over time and HdrHistogram interval logs. Absent: reporters use the whole-step histogram.
   */
  intervals?: StepInterval[];
  /** Replay workloads: how faithfully the trace was replayed, and conversation latency per round-trip count. */
  replay?: ReplayStepMetrics;
}

/** One interval of a step's measured window. */
export interface StepInterval {
  /** Interval start in ms from the start of the step's measured window (warm-up excluded). */
  startMs: number;
  /** Interval length in ms. */
  durationMs: number;
  /** Round-trip latencies (µs) recorded in this interval: `encodeIntoCompressedBase64`. */
  roundTrip: string;
}

/** Which load model ran and where its latencies are measured from. */
export interface StepTiming {
  model: 'closed' | 'open';
  /** `dispatch`: from the actual send (closed); `intended`: from the scheduled start (open). */
  latencyFrom: 'dispatch' | 'intended';
  /** HDR coordinated-omission correction applied to recorded values; hcbench never applies any. */
  coordinatedOmissionCorrection: 'none';
  /** Open model: the configured arrival process and rate at t0. */
  arrivals?: 'constant' | 'poisson';
  ratePerSec?: number;
  /** Closed model capped at this many requests/s (http `ratePerSec`): still timed from the send, never open. */
  rateLimitPerSec?: number;
  whenBehind?: 'queue' | 'drop';
}

/** Throughput of one direction, one value per interval, in bytes per second (HDR histogram). */
export interface ThroughputRecord {
  unit: 'bytesPerSec';
  intervalMs: number;
  /** Number of intervals. */
  count: number;
  minBytesPerSec: number;
  meanBytesPerSec: number;
  p50BytesPerSec: number;
  maxBytesPerSec: number;
  /** Total bytes over the measured window divided by its length. */
  overallBytesPerSec: number;
  /** `encodeIntoCompressedBase64` of the per-interval histogram (values in bytes/s). */
  encoded: string;
}

export type PathKind = 'direct' | 'relay-emulated' | 'relay-azure';

/** The outcome of one step on one path (tinybench-style union: failures are data). */
/** What identifies a step: the same workload variant on one path, one repetition. */
export interface StepIdentity {
  /** `<workload id>[<matrix values>]@<path id>`; equal across repetitions and only the path differs between paired steps. */
  stepId: string;
  pathId: string;
  pathKind: PathKind;
  /** 0-based repetition index; absent means 0 (a single repetition). */
  repetition?: number;
  /** The workload parameters this step ran with (resolved, including matrix values). */
  workload?: Record<string, unknown>;
  /** The matrix values that distinguish this step's variant, e.g. `{ roundTripsPerTransaction: 5 }`. */
  variant?: Record<string, unknown>;
}

export type StepResult = (
  | (StepIdentity & { status: 'completed'; metrics: StepMetrics })
  | (StepIdentity & { status: 'aborted'; reason: string; metrics: StepMetrics })
  | (StepIdentity & { status: 'failed'; error: { code: string; message: string } })
) & {
  /** Faults injected and undone during this step, in firing order; absent when the path had none. */
  faultEvents?: FaultEvent[];
};

/** Counters read from the relay path's components after the run, proving what traversed them. */
export interface RelayPathCounters {
  /** Which relay path these are (the first of the plan; `pathCounters` has every path's). */
  pathId: string;
  relay: Record<string, unknown>;
  agent: Record<string, unknown>;
  forwarder: Record<string, unknown>;
}

/** One compared figure of relay against direct (a percentile in µs, or a rate per second). */
export interface OverheadRow {
  /** `roundTrip.p99`, `transaction.p50`, `throughput.transactionsPerSec`, ... */
  metric: string;
  unit: 'us' | 'perSec';
  direct: number;
  relay: number;
  /** relay − direct, in `unit`. */
  delta: number;
  /** relay ÷ direct; null when direct is 0. */
  ratio: number | null;
}

export interface RunEnvironment {
  hcbenchVersion: string;
  nodeVersion: string;
  platform: string;
  arch: string;
  cpuCount: number;
  cpuModel: string;
  /** Which process ran which role, e.g. `relay: "cloud (pid 4242)"`. */
  roles: Record<string, string>;
  /** Process id of each role process (`app`, `cloud`, `onprem`). */
  rolePids: Record<string, number>;
  /** Versions of the libraries on the measured path. */
  libraries: Record<string, string>;
  /** Figures of `hcbench calibrate --save <file>` attached with `hcbench run --calibration <file>`; absent otherwise. */
  calibration?: CalibrationResult;
  /** The git commit (HEAD) of the folder `hcbench run` ran in, when that is a git checkout; absent otherwise. */
  gitCommit?: string;
  /** True when that checkout had uncommitted changes. */
  gitDirty?: boolean;
}

/** The whole result of `hcbench run`, written to `results/<stamp>-<scenario>/summary.json`. */
export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  status: 'completed' | 'aborted' | 'failed';
  /** Why the run is `aborted`: `interrupted` (Ctrl-C), or "in progress" in a checkpoint a crash left behind. */
  abortReason?: string;
  startedAt: string;
  finishedAt: string;
  /** The scenario as validated (defaults applied), and the file it came from. */
  scenario: { file: string; name: string; description: string; resolved: unknown };
  environment: RunEnvironment;
  steps: StepResult[];
  /** The network the run measured: profile with per-leg delays, each path's shape, the target. */
  topology?: { network: { name: string; profile: unknown }; paths: unknown[]; target: unknown };
  /** Counters of each path's components (relay, agent, forwarder, delay shim), by path id, read at the end. */
  pathCounters?: Record<string, Record<string, unknown>>;
  /**
   * Counters of the FIRST relay path's components (named by `pathId`), when a relay path ran; kept
   * for readers of earlier results. `pathCounters` holds every path's, by path id.
   */
  relayPath?: RelayPathCounters;
  /**
   * Relay vs direct, keyed by the relay step id (`<variant>@<relay path>`), for every relay path:
   * percentiles of histograms merged over the paired repetitions, the same figures as
   * `analysis.comparisons` (which adds the intervals).
   */
  overhead: Record<string, OverheadRow[]>;
  /**
   * Emulation error per path id (metrics/emulation.ts): how late the emulated network released
   * what it held, per delayed traversal, over the whole run; `measured: false` says why not.
   */
  emulation?: Record<string, EmulationError>;
  /**
   * The analysis of the finished run (paired deltas with confidence intervals, round-trip fits,
   * projection, warnings), as `analyzeRun` computed it with its defaults; reporters may recompute
   * it with other settings. Absent in checkpoints of a run still in progress.
   */
  analysis?: RunAnalysis;
  /** Verdicts of the scenario's `thresholds`, evaluated after the run; absent without thresholds. */
  thresholds?: ThresholdVerdict[];
  /** What live export to a Prometheus remote-write receiver delivered (`--out prometheus-rw=URL`); absent without. */
  remoteWrite?: RemoteWriteRecord;
  /** Set when the run was one shard of a scenario (`hcbench run --shard I/N`). */
  shard?: ShardInfo;
  /** Set on a result made by `hcbench merge` from shard results. */
  merge?: MergeInfo;
}

/** Totals of a run's live export to Prometheus remote write: every sample was sent or dropped. */
export interface RemoteWriteRecord {
  /** The receiver's URL without user info, query or fragment. */
  url: string;
  /** The `run_id` label of every series this run sent. */
  runId: string;
  samplesSent: number;
  samplesDropped: number;
  /** HTTP requests made (retries included) and how many failed. */
  requests: number;
  failedRequests: number;
  /** The last failure, e.g. `HTTP 500` or `ECONNREFUSED`; absent when none failed. */
  lastError?: string;
}

/** The outcome of one threshold on one subject. `no-data` counts as a failure of the gate. */
export interface ThresholdVerdict {
  /** The threshold as written, plus ` [step=…]` / ` [window=… ms]`. */
  threshold: string;
  /** What was measured: `smoke@relay-emulated`, `smoke: relay-emulated vs direct`, plus ` 2000–3000 ms` for a window. */
  subject: string;
  status: 'passed' | 'failed' | 'no-data';
  /** The measured value in `unit`; null without data. */
  observed: number | null;
  /** The bound in `unit`. */
  limit: number;
  /** `us` latencies, `fraction` rates (0..1), `perSec` throughputs, `count`, `ratio` relay ÷ direct. */
  unit: 'us' | 'fraction' | 'perSec' | 'count' | 'ratio';
  /** Lower case, one line: `transaction.p99 31200 us, must be < 25000 us`, or why there is no data. */
  message: string;
}
