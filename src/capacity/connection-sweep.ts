// Connection sweep: the same workload at several connection counts (closed model, one probe per
// count and path), with errors by class and the relay limits each count exceeds, so a planner sees
// where connections stop scaling and where Azure's limits would bite. Each probe is an ordinary run.

import type { ErrorKind, RunResult } from '../metrics/result.js';
import { buildPlan } from '../plan/build-plan.js';
import { runPlan } from '../run/run-plan.js';
import { undefinedIfInterrupted } from '../bounded.js';
import type { Scenario, ScenarioWorkload } from '../scenario/schema.js';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../azure/limits.js';

/** One connection count on one path. */
export interface ConnectionPoint {
  pathId: string;
  connections: number;
  /** Completed transactions per second. */
  achievedPerSec: number;
  /** Transaction latency, µs. */
  p50Us: number;
  p99Us: number;
  /** Errors by class (refused, reset, relay-403, ...); empty when none. */
  errors: Partial<Record<ErrorKind, number>>;
  connectionsPeak: number;
  connectionsFailed: number;
  /** Documented limits this count exceeds on this path (relay paths only), lower case. */
  limitsExceeded: string[];
  /** Set when the step failed as a whole. */
  failure?: string;
}

export interface ConnectionSweepOptions {
  scenario: Scenario;
  scenarioFile: string;
  workload: ScenarioWorkload;
  connectionCounts: readonly number[];
  durationMs: number;
  warmupMs: number;
  signal: AbortSignal;
  limits?: RelayLimits;
  secrets?: Record<string, string | undefined>;
  onPoint?: (point: ConnectionPoint) => void;
  /** Every probe's whole result (for relay usage). */
  onResult?: (result: RunResult) => void;
}

/** Runs every count on every path of the scenario (one plan per count: all paths in it). */
export async function sweepConnections(options: ConnectionSweepOptions): Promise<ConnectionPoint[]> {
  const limits = options.limits ?? DEFAULT_RELAY_LIMITS;
  const points: ConnectionPoint[] = [];
  const { matrix: _matrix, ...rest } = options.workload;
  for (const connections of options.connectionCounts) {
    if (options.signal.aborted) break;
    const workload = { ...rest, connections, load: { model: 'closed' as const } } as ScenarioWorkload;
    const scenario: Scenario = { ...options.scenario, workload, workloads: undefined, repetitions: 1, thresholds: undefined };
    const plan = buildPlan(scenario, { durationMs: options.durationMs, warmupMs: options.warmupMs, repetitions: 1 });
    const result = await runPlan(plan, {
      scenario,
      scenarioFile: options.scenarioFile,
      signal: options.signal,
      ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    }).catch(undefinedIfInterrupted);
    // Ctrl-C during setup: the sweep ends with the counts measured so far.
    if (result === undefined) break;
    options.onResult?.(result);
    for (const step of result.steps) {
      const isRelay = step.pathKind !== 'direct';
      const limitsExceeded = isRelay && connections > limits.connectionsPerNamespace ? [`${limits.connectionsPerNamespace} connections per namespace`] : [];
      const point: ConnectionPoint =
        step.status === 'failed'
          ? { pathId: step.pathId, connections, achievedPerSec: 0, p50Us: 0, p99Us: 0, errors: {}, connectionsPeak: 0, connectionsFailed: 0, limitsExceeded, failure: step.error.message }
          : {
              pathId: step.pathId,
              connections,
              achievedPerSec: step.metrics.transactionsPerSec,
              p50Us: step.metrics.histograms.transaction.summary.p50Us,
              p99Us: step.metrics.histograms.transaction.summary.p99Us,
              errors: step.metrics.counters.errors,
              connectionsPeak: step.metrics.counters.connectionsPeak ?? step.metrics.counters.connectionsOpened,
              connectionsFailed: step.metrics.counters.connectionsFailed ?? 0,
              limitsExceeded,
            };
      points.push(point);
      options.onPoint?.(point);
    }
  }
  return points;
}
