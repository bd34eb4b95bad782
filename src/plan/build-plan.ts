// Scenario -> Plan: defaults already applied by validation; here durations become concrete
// (overrides), paths get ids, and steps are ordered. Pure: no sockets, no clock.

import type { PathKind } from '../metrics/result.js';
import type { Scenario } from '../scenario/schema.js';
import type { WorkloadParams } from '../workloads/types.js';

/** One network path of the run. */
export interface PlannedPath {
  /** Unique within the run; defaults to the kind. */
  id: string;
  kind: PathKind;
}

/** One workload run on one path. */
export interface PlannedStep {
  /** `<workload kind>@<path id>`, unique within the run. */
  id: string;
  pathId: string;
  workload: WorkloadParams;
  warmupMs: number;
  durationMs: number;
}

export interface Plan {
  scenarioName: string;
  paths: PlannedPath[];
  /** Steps in execution order. */
  steps: PlannedStep[];
  /** Upper bound of the measured time, ms (warm-up + duration over all steps). */
  estimatedDurationMs: number;
}

export interface PlanOverrides {
  /** Replaces every step's `durationMs` (e.g. for a quick smoke run). */
  durationMs?: number;
  /** Replaces every step's `warmupMs`. */
  warmupMs?: number;
}

export function buildPlan(scenario: Scenario, overrides: PlanOverrides = {}): Plan {
  const paths = scenario.paths.map((path) => ({ id: path.id ?? path.kind, kind: path.kind }));
  const { durationMs, warmupMs, ...workload } = scenario.workload;
  const steps = paths.map((path) => ({
    id: `${workload.kind}@${path.id}`,
    pathId: path.id,
    workload,
    warmupMs: overrides.warmupMs ?? warmupMs,
    durationMs: overrides.durationMs ?? durationMs,
  }));
  return {
    scenarioName: scenario.name,
    paths,
    steps,
    estimatedDurationMs: steps.reduce((sum, step) => sum + step.warmupMs + step.durationMs, 0),
  };
}
