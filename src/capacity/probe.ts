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

/** Fewest response times a probe's p99 should rest on (one in a hundred above it); fewer is marked. */
export const MIN_P99_SAMPLES = 100;
/** A probe's window is lengthened to reach MIN_P99_SAMPLES at the offered rate, up to this many times its length. */
export const MAX_WINDOW_STRETCH = 4;

/** The measured window of a probe at `ratePerSec`: long enough for MIN_P99_SAMPLES arrivals, within MAX_WINDOW_STRETCH. */
export function probeWindowMs(durationMs: number, ratePerSec: number): number {
  const needed = Math.ceil((MIN_P99_SAMPLES / ratePerSec) * 1000);
  return Math.max(durationMs, Math.min(needed, durationMs * MAX_WINDOW_STRETCH));
}

/** Runs one probe and judges it against the SLO. Returns the point and the raw result. */
export async function runProbe(input: ProbeInput): Promise<{ point: CapacityPoint; result: RunResult }> {
  const scenario = probeScenario(input.scenario, input.workload, input.pathId, input.ratePerSec);
  const durationMs = probeWindowMs(input.durationMs, input.ratePerSec);
  const plan = buildPlan(scenario, { durationMs, warmupMs: input.warmupMs, repetitions: 1 });
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
    return { ratePerSec, achievedPerSec: 0, p50Us: 0, p99Us: 0, errorRate: 1, droppedRate: 1, samples: 0, isGeneratorValid: true, caveats: [], isSustained: false, violations: [why] };
  }
  const m = step.metrics;
  const latency = m.histograms.responseTime ?? m.histograms.transaction;
  const errors = Object.values(m.counters.errors).reduce((a, b) => a + (b ?? 0), 0);
  const sent = m.counters.sent ?? m.counters.transactions + errors;
  const scheduled = m.counters.scheduled ?? sent + (m.counters.dropped ?? 0);
  // A probe that sent or scheduled nothing measured nothing: that is no 0 % rate.
  const errorRate = sent === 0 ? 1 : errors / sent;
  const droppedRate = scheduled === 0 ? 1 : (m.counters.dropped ?? 0) / scheduled;
  const samples = latency.summary.count;
  const violations: string[] = [];
  const caveats: string[] = [];
  const p99Ms = latency.summary.p99Us / 1000;
  if (samples === 0) violations.push('nothing completed');
  if (p99Ms > slo.p99Ms) violations.push(`p99 ${p99Ms.toFixed(1)} ms > ${slo.p99Ms} ms`);
  if (errorRate > slo.errorRate) violations.push(sent === 0 ? 'nothing was sent' : `error rate ${(errorRate * 100).toFixed(2)}% > ${(slo.errorRate * 100).toFixed(2)}%`);
  if (droppedRate > slo.droppedRate) violations.push(scheduled === 0 ? 'nothing was scheduled' : `dropped ${(droppedRate * 100).toFixed(2)}% > ${(slo.droppedRate * 100).toFixed(2)}%`);
  if (step.status === 'aborted') violations.push('interrupted');
  // The SLO reads this probe's latency p99 (and, for the closed model, its rate): the ceiling is the
  // generator's only when one of those is untrusted (its own timing error, issue 12 §2; pool wait
  // and queueing are the path's result, not the generator's).
  const latencyKey = m.histograms.responseTime === undefined ? 'transaction' : 'responseTime';
  const used = new Set([`${latencyKey}.p99`, 'transactionsPerSec']);
  const untrusted = m.generator?.untrusted ?? [];
  const ownReasons = (m.generator?.invalidReasons ?? []).filter((r) => untrusted.some((key) => used.has(key) && (r.startsWith(`${key} `) || r.startsWith(`${key}:`))));
  const isGeneratorValid = ownReasons.length === 0;
  if (!isGeneratorValid) caveats.push(`generator fell behind (${ownReasons.join('; ')}): a break here may be the generator's`);
  if (samples > 0 && samples < MIN_P99_SAMPLES) caveats.push(`p99 rests on ${samples} samples (< ${MIN_P99_SAMPLES}): effectively the max`);
  const seconds = m.durationMs / 1000;
  const completed = m.counters.completedInWindow ?? m.counters.transactions;
  return {
    ratePerSec,
    achievedPerSec: seconds > 0 ? completed / seconds : 0,
    p50Us: latency.summary.p50Us,
    p99Us: latency.summary.p99Us,
    errorRate,
    droppedRate,
    samples,
    isGeneratorValid,
    caveats,
    isSustained: violations.length === 0,
    violations,
  };
}

/** The median service time (completion − actual dispatch: no client-side queueing in it) of a probe, ms. */
export function medianServiceMs(result: RunResult): number | undefined {
  const step = result.steps[0];
  if (step === undefined || step.status === 'failed') return undefined;
  const service = step.metrics.histograms.serviceTime ?? step.metrics.histograms.transaction;
  return service.summary.count === 0 ? undefined : service.summary.p50Us / 1000;
}

/**
 * Why no offered rate can meet the SLO's p99, judged from a probe that kept up with its offered
 * rate (achieved >= 90 %, nothing dropped, so little queueing anywhere): even its median service
 * time is above the p99 bound, and more load only adds. Undefined when that cannot be concluded.
 */
export function unreachableSlo(point: CapacityPoint, medianMs: number | undefined, slo: CapacitySlo): string | undefined {
  if (medianMs === undefined || medianMs <= slo.p99Ms) return undefined;
  const keptUp = point.droppedRate === 0 && point.achievedPerSec >= 0.9 * point.ratePerSec;
  if (!keptUp) return undefined;
  return (
    `no rate can meet p99 <= ${slo.p99Ms} ms: at ${+point.ratePerSec.toPrecision(3)}/s, which the path kept up with, half of the ` +
    `transactions took ${medianMs.toFixed(1)} ms or more of service time (no queueing in it), and load only adds to that`
  );
}
