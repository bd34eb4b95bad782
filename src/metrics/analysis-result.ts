// Shapes of the analysis part of a result (`RunResult.analysis`): what relay costs against direct,
// with uncertainty, as plain JSON. Types only: part of the result format, so reporters and saved
// results need nothing from src/analysis, whose functions fill them.

/** A point estimate with its confidence interval (same unit as `value`). */
export interface Estimate {
  value: number;
  /** Confidence interval; null when it cannot be computed (n < 2), see `note`. */
  interval: { low: number; high: number } | null;
  /** Number of independent observations behind the estimate (paired repetitions, fitted points). */
  n: number;
  /** Why there is no interval, or a caveat, lower case, e.g. `n=1, no interval`. */
  note?: string;
}

/** Latency metrics compared per percentile. */
export type ComparedMetric = 'roundTrip' | 'transaction' | 'connect' | 'firstByte' | 'responseTime' | 'serviceTime' | 'poolWait';
export type PercentileLabel = 'p50' | 'p90' | 'p99' | 'p99.9' | 'max';

/** One percentile of one metric, relay against direct, across repetitions. */
export interface PercentileComparison {
  metric: ComparedMetric;
  percentile: PercentileLabel;
  /** The direct path's percentile of its histograms merged over the paired repetitions, µs (never an average of percentiles). */
  directUs: number;
  /** The relay path's percentile, merged the same way, µs. */
  relayUs: number;
  /** relay − direct in µs (relayUs − directUs), with a delete-one-repetition jackknife interval. */
  deltaUs: Estimate;
  /** relayUs ÷ directUs with a jackknife interval; null when direct is 0. */
  ratio: Estimate | null;
}

/** Relay path against the direct path for one workload variant (steps sharing a stepId prefix). */
export interface PathComparison {
  /** The stepId part before `@`, e.g. `tcp-request-response`. */
  key: string;
  /** The baseline: the first direct path of the variant, else its first path. */
  directPathId: string;
  /** The path compared with the baseline (a relay path, or a second direct path for A vs A). */
  relayPathId: string;
  /** Repetition indices present on both paths (the pairs). */
  repetitions: number[];
  percentiles: PercentileComparison[];
  /** Transactions per second, both paths (Σ transactions ÷ Σ measured seconds over the paired repetitions) and relay ÷ direct. */
  throughput: { directPerSec: number; relayPerSec: number; ratio: Estimate | null };
  /** Bulk streams: bytes per second per direction pooled over the repetitions, both paths, relay ÷ direct; empty when none. */
  streams: { direction: 'upload' | 'download'; directBytesPerSec: number; relayBytesPerSec: number; ratio: Estimate | null }[];
  /**
   * Connection setup: p50 delta of time to first response byte on a new connection when recorded
   * (the relay rendezvous shows there), else of TCP connect; null when no connections were timed.
   */
  connectionSetup: {
    metric: 'firstByte' | 'connect';
    deltaUs: Estimate;
    /** New connections that figure was timed on, per path (over the paired repetitions): a p50 of a few is a cold start, not a typical setup. */
    connections: { direct: number; relay: number };
  } | null;
}

/** Weighted least-squares fit of transaction latency (mean, or p50 when asked) = a + b·k over a round-trip sweep. */
export interface RoundTripFit {
  pathId: string;
  /** Fitted points: k round trips per transaction, transaction latency µs (mean or p50), its standard error µs. */
  points: { roundTrips: number; latencyUs: number; standardErrorUs: number }[];
  /** a: fixed cost per transaction, µs. */
  interceptUs: number;
  /** b: cost per round trip, µs. */
  slopeUs: number;
  /** Standard errors and covariance of a and b (µs, µs, µs²). */
  interceptSeUs: number;
  slopeSeUs: number;
  covarianceUs2: number;
}

/** The relay's cost per round trip and fixed cost per transaction, from two fits. */
export interface FitComparison {
  /** Workload variant minus `roundTripsPerTransaction`, e.g. `tcp-request-response`. */
  key: string;
  direct: RoundTripFit;
  relay: RoundTripFit;
  /** slope(relay) − slope(direct): the relay's cost per round trip, µs. */
  slopeDeltaUs: Estimate;
  /** intercept(relay) − intercept(direct): the relay's fixed cost per transaction, µs. */
  interceptDeltaUs: Estimate;
  /** Configured RTT of the relay path minus the direct path's (result.topology), ms; 0 on loopback. */
  networkRttDeltaMs: number;
  /** The slope difference less that configured RTT difference: the relay machinery's own cost per round trip, µs. */
  machineryUs: Estimate;
}

/** The user's own protocol and network, for the projection. All distances are round-trip times. */
export interface ProjectionInput {
  /** Sequential round trips in one of the user's transactions. */
  roundTripsPerTransaction: number;
  /** RTT between the app and the target over a private link (VNet/VPN), ms. Default: the measured direct path's (0 on loopback). */
  directRttMs?: number;
  /** RTT between the app and the relay's region, ms. Default: the measured relay path's. */
  appToRelayRttMs?: number;
  /** RTT between the relay's region and the on-prem agent, ms. Default: the measured relay path's. */
  relayToAgentRttMs?: number;
  /** RTT between the agent and the target on-prem, ms. Default 0. */
  agentToTargetRttMs?: number;
}

/** Expected transaction latency of the user's protocol on each path. */
export interface Projection {
  input: ProjectionInput;
  /**
   * Which measured key the per-round-trip costs came from, how (`fit` or `round-trip mean`), and the
   * RTT (ms) each measured path had configured, taken out of its per-round-trip cost.
   */
  basis: { key: string; source: 'fit' | 'round-trip mean'; measuredRttMs: { directMs: number; relayMs: number } };
  directMs: Estimate;
  relayMs: Estimate;
  /** relay − direct, ms. */
  deltaMs: Estimate;
  /** The model in one line. */
  model: string;
}

/** Everything the analysis derives from a RunResult. Plain JSON. */
export interface RunAnalysis {
  confidence: number;
  /** How intervals were computed (method, resamples, seed), one line each. */
  methods: string[];
  comparisons: PathComparison[];
  fits: FitComparison[];
  projection: Projection | null;
  /** Findings a reader must see: invalid generator, errors, dropped work, aborted/failed steps. */
  warnings: string[];
}
