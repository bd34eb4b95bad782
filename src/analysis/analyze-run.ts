// The whole analysis of a RunResult: comparisons, round-trip fits, projection and warnings.
// Pure and deterministic: the same result and options give the same analysis.

import type { RunResult } from '../metrics/result.js';
import { comparePaths, DEFAULT_CONFIDENCE } from './compare-paths.js';
import { groupSeries, pairSeries } from './pairing.js';
import { projectLatency, PROJECTION_MODEL } from './projection.js';
import { configuredRtts, totalRttMs } from './configured-delays.js';
import { describeFit, fitRoundTrips, type FitStatistic } from './round-trip-fit.js';
import { describeJackknife } from './jackknife.js';
import type { ProjectionInput, RunAnalysis } from '../metrics/analysis-result.js';
import { collectWarnings } from './warnings.js';

/** Options of analyzeRun; every field has a default. */
export interface AnalyzeOptions {
  /** Confidence level of every interval, default 0.95. */
  confidence?: number;
  /** Per-step figure of the round-trip fit: `mean` (default) or `p50` (robust on a busy machine). */
  fitStatistic?: FitStatistic;
  /** The user's protocol and distances; default: the measured k (or 1) and the measured paths' distances. */
  projection?: ProjectionInput;
}

/** Analyses a run (any status; failed steps are skipped and warned about). */
export function analyzeRun(result: RunResult, options: AnalyzeOptions = {}): RunAnalysis {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const series = groupSeries(result.steps);
  const pairs = pairSeries(series);
  const comparisons = pairs.map(({ direct, relay }) => comparePaths(direct, relay, { confidence }));
  const rttOf = (pathId: string) => totalRttMs(configuredRtts(result, pathId));
  const fits = fitRoundTrips(series, confidence, rttOf, options.fitStatistic);
  // Distances the user leaves out default to what the measured paths had (the first pair's).
  const firstPair = pairs[0];
  const directRtts = firstPair === undefined ? undefined : configuredRtts(result, firstPair.direct.pathId);
  const relayRtts = firstPair === undefined ? undefined : configuredRtts(result, firstPair.relay.pathId);
  const projectionInput: ProjectionInput = {
    roundTripsPerTransaction: defaultRoundTrips(result),
    directRttMs: directRtts?.directRttMs ?? 0,
    appToRelayRttMs: relayRtts?.appToRelayRttMs ?? 0,
    relayToAgentRttMs: relayRtts?.relayToAgentRttMs ?? 0,
    agentToTargetRttMs: 0,
    ...options.projection,
  };
  return {
    confidence,
    methods: [describeJackknife(confidence), describeFit(confidence, options.fitStatistic), `projection: ${PROJECTION_MODEL}`],
    comparisons,
    fits,
    projection: projectLatency(projectionInput, fits, pairs, confidence, rttOf),
    warnings: collectWarnings(result),
  };
}

/** The k of the first step that states one, else the measured round trips per transaction, else 1. */
function defaultRoundTrips(result: RunResult): number {
  for (const step of result.steps) {
    const k = step.variant?.['roundTripsPerTransaction'] ?? step.workload?.['roundTripsPerTransaction'];
    if (typeof k === 'number' && k > 0) return k;
  }
  for (const step of result.steps) {
    if (step.status === 'failed' || step.metrics.counters.transactions === 0) continue;
    return Math.max(1, Math.round(step.metrics.counters.roundTrips / step.metrics.counters.transactions));
  }
  return 1;
}
