// One capacity probe: the scenario narrowed to one path and one workload at one open-model rate,
// planned with buildPlan and run with runPlan (the ordinary runner), reduced to a curve point.

import { buildPlan } from '../plan/build-plan.js';
import type { RunResult } from '../metrics/result.js';
import { runPlan, type RunProgress } from '../run/run-plan.js';
import type { Scenario, ScenarioWorkload } from '../scenario/schema.js';
import type { CapacityPoint, CapacitySlo } from './types.js';

export interface ProbeInput {
  scenario: Scenario;
  scenarioFile: string;
  workload: ScenarioWorkload;
  pathId: string;
  ratePerSec: number;
  durationMs: number;
  warmupMs: number;
  slo: CapacitySlo;
  signal: AbortSignal;
  secrets?: Record<string, string | undefined>;
  onProgress?: (event: RunProgress) => void;
}

/** The scenario with only `pathId`, only `workload` (matrix removed) at an open-model `ratePerSec`, one repetition. */
export function probeScenario(scenario: Scenario, workload: ScenarioWorkload, pathId: string, ratePerSec: number): Scenario {
  const { matrix: _matrix, ...rest } = workload;
  const previous = 'load' in rest && rest.load?.model === 'open' ? rest.load : undefined;
  const load = { ...(previous ?? {}), model: 'open' as const, ratePerSec, stages: undefined };
  const narrowed = { ...rest, load } as ScenarioWorkload;
  return {
    ...scenario,
    paths: scenario.paths.filter((p) => (p.id ?? p.kind) === pathId),
    workload: narrowed,
    workloads: undefined,
    repetitions: 1,
    thresholds: undefined,
  };
}

/** Runs one probe and judges it against the SLO. Returns the point and the raw result. */
export async function runProbe(input: ProbeInput): Promise<{ point: CapacityPoint; result: RunResult }> {
  const scenario = probeScenario(input.scenario, input.workload, input.pathId, input.ratePerSec);
  const plan = buildPlan(scenario, { durationMs: input.durationMs, warmupMs: input.warmupMs, repetitions: 1 });
  const result = await runPlan(plan, {
    scenario,
    scenarioFile: input.scenarioFile,
    signal: input.signal,
    ...(input.secrets === undefined ? {} : { secrets: input.secrets }),
    ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
  });
  return { point: toPoint(result, input.ratePerSec, input.slo), result };
}

/** Reduces a one-step result to a curve point. A failed step is a point that broke every bound. */
export function toPoint(result: RunResult, ratePerSec: number, slo: CapacitySlo): CapacityPoint {
  const step = result.steps[0];
  if (step === undefined || step.status === 'failed') {
    const why = step?.status === 'failed' ? `step failed: ${step.error.message}` : 'no step ran';
    return { ratePerSec, achievedPerSec: 0, p50Us: 0, p99Us: 0, errorRate: 1, droppedRate: 1, isSustained: false, violations: [why] };
  }
  const m = step.metrics;
  const latency = m.histograms.responseTime ?? m.histograms.transaction;
  const errors = Object.values(m.counters.errors).reduce((a, b) => a + (b ?? 0), 0);
  const sent = m.counters.sent ?? m.counters.transactions + errors;
  const scheduled = m.counters.scheduled ?? sent + (m.counters.dropped ?? 0);
  const errorRate = sent === 0 ? 0 : errors / sent;
  const droppedRate = scheduled === 0 ? 0 : (m.counters.dropped ?? 0) / scheduled;
  const violations: string[] = [];
  const p99Ms = latency.summary.p99Us / 1000;
  if (latency.summary.count === 0) violations.push('nothing completed');
  if (p99Ms > slo.p99Ms) violations.push(`p99 ${p99Ms.toFixed(1)} ms > ${slo.p99Ms} ms`);
  if (errorRate > slo.errorRate) violations.push(`error rate ${(errorRate * 100).toFixed(2)}% > ${(slo.errorRate * 100).toFixed(2)}%`);
  if (droppedRate > slo.droppedRate) violations.push(`dropped ${(droppedRate * 100).toFixed(2)}% > ${(slo.droppedRate * 100).toFixed(2)}%`);
  if (step.status === 'aborted') violations.push('interrupted');
  return {
    ratePerSec,
    achievedPerSec: m.transactionsPerSec,
    p50Us: latency.summary.p50Us,
    p99Us: latency.summary.p99Us,
    errorRate,
    droppedRate,
    isSustained: violations.length === 0,
    violations,
  };
}
