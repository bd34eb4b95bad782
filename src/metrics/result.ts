// Result shapes: the plain, serialisable JSON a run produces. Reporters read only these types,
// so any saved result can be re-rendered. No classes, no Date objects: ISO strings and numbers.

/** Bump on any incompatible change of RunResult; readers refuse newer major versions. */
export const RESULT_SCHEMA_VERSION = 1;

/** Percentile summary of one HDR histogram. All values are integer microseconds. */
export interface LatencySummary {
  count: number;
  minUs: number;
  meanUs: number;
  stdDevUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

/** One recorded metric: its summary plus the whole histogram, compressed (HdrHistogram base64). */
export interface HistogramRecord {
  /** Unit of every recorded value. Always microseconds in this version. */
  unit: 'us';
  summary: LatencySummary;
  /** `encodeIntoCompressedBase64` of the histogram; decode to recompute or merge. */
  encoded: string;
}

/**
 * Failure kinds counted during measurement. Failures of the system under test are data:
 * they are counted here by kind, never thrown.
 */
export type ErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'closed'
  | 'mismatch'
  | 'relay-404'
  | 'relay-401'
  | 'relay-403'
  | 'relay-other'
  | 'other';

/** Counters of one step on one path. Byte counts are application payload bytes. */
export interface StepCounters {
  transactions: number;
  roundTrips: number;
  connectionsOpened: number;
  bytesSent: number;
  bytesReceived: number;
  /** Errors by kind; kinds that did not occur are absent. */
  errors: Partial<Record<ErrorKind, number>>;
}

/** What one workload run on one path measured (after warm-up). */
export interface StepMetrics {
  /** Measured window length in milliseconds (excludes warm-up). */
  durationMs: number;
  /** Warm-up length in milliseconds; nothing from it is in the histograms or counters. */
  warmupMs: number;
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
  };
  /**
   * Counters of the warm-up phase (not in `counters`, nothing in the histograms), kept so that
   * bytes and transactions can be reconciled with what a target saw over the whole run.
   */
  warmupCounters?: StepCounters;
}

export type PathKind = 'direct' | 'relay-emulated';

/** The outcome of one step on one path (tinybench-style union: failures are data). */
export type StepResult =
  | { status: 'completed'; stepId: string; pathId: string; pathKind: PathKind; metrics: StepMetrics }
  | { status: 'aborted'; stepId: string; pathId: string; pathKind: PathKind; reason: string; metrics: StepMetrics }
  | { status: 'failed'; stepId: string; pathId: string; pathKind: PathKind; error: { code: string; message: string } };

/** Counters read from the relay path's components after the run, proving what traversed them. */
export interface RelayPathCounters {
  relay: Record<string, unknown>;
  agent: Record<string, unknown>;
  forwarder: Record<string, unknown>;
}

/** Per-percentile comparison of relay against direct. */
export interface OverheadRow {
  metric: string;
  directUs: number;
  relayUs: number;
  /** relay − direct, microseconds. */
  deltaUs: number;
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
  /** Which process ran which role. */
  roles: Record<string, string>;
  /** Versions of the libraries on the measured path. */
  libraries: Record<string, string>;
}

/** The whole result of `hcbench run`, written to `results/<stamp>-<scenario>/summary.json`. */
export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  status: 'completed' | 'aborted' | 'failed';
  startedAt: string;
  finishedAt: string;
  /** The scenario as validated (defaults applied), and the file it came from. */
  scenario: { file: string; name: string; description: string; resolved: unknown };
  environment: RunEnvironment;
  steps: StepResult[];
  /** Counters of the relay path's components, when a relay path ran. */
  relayPath?: RelayPathCounters;
  /** Relay vs direct, per step id, when both paths ran. */
  overhead: Record<string, OverheadRow[]>;
}
