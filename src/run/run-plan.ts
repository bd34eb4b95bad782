// Orchestrates one run: builds the paths, runs every step's workload on its path, reads the
// components' counters, and assembles the RunResult. Never prints; reports progress through a
// callback. An abort (Ctrl-C) ends the current step early and yields a result marked `aborted`.

import { computeOverhead } from '../analysis/overhead.js';
import { HarnessError } from '../errors.js';
import type { Plan, PlannedStep } from '../plan/build-plan.js';
import { openTopology } from '../paths/topology.js';
import { RESULT_SCHEMA_VERSION, type RunResult, type StepIdentity, type StepResult } from '../metrics/result.js';
import type { Scenario } from '../scenario/schema.js';
import { workloads } from '../workloads/index.js';
import { systemClock, type Clock } from '../workloads/types.js';
import { describeEnvironment } from './environment.js';

export type RunProgress =
  | { type: 'setup'; message: string }
  | { type: 'step-start'; stepId: string; pathId: string; index: number; total: number; warmupMs: number; durationMs: number }
  | { type: 'step-end'; result: StepResult }
  | { type: 'log'; line: string };

export interface RunPlanOptions {
  scenario: Scenario;
  scenarioFile: string;
  signal: AbortSignal;
  clock?: Clock;
  onProgress?: (event: RunProgress) => void;
  /** Values of environment variables the plan names (relay-azure connection strings). */
  secrets?: Record<string, string | undefined>;
  /** Wall clock for the result's timestamps (epoch ms), injectable for tests. */
  nowMs?: () => number;
}

function identity(step: PlannedStep): StepIdentity {
  return {
    stepId: step.id,
    pathId: step.pathId,
    pathKind: step.pathKind,
    repetition: step.repetition,
    workload: { ...step.workload },
    variant: { ...step.variant },
  };
}

export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<RunResult> {
  const { signal, onProgress } = options;
  const nowMs = options.nowMs ?? Date.now;
  const startedAt = new Date(nowMs()).toISOString();
  onProgress?.({ type: 'setup', message: `starting paths: ${plan.paths.map((p) => p.id).join(', ')}` });
  const topology = await openTopology(plan, {
    onLog: (role, line) => onProgress?.({ type: 'log', line: `[${role}] ${line}` }),
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
  });
  const steps: StepResult[] = [];
  let relayPath: RunResult['relayPath'];
  const pathCounters: Record<string, Record<string, unknown>> = {};
  try {
    for (const [index, step] of plan.steps.entries()) {
      if (signal.aborted) break;
      const path = topology.paths.get(step.pathId);
      if (path === undefined) throw new HarnessError('ERR_PLAN', 1, `step ${step.id} names unknown path ${step.pathId}`);
      onProgress?.({
        type: 'step-start',
        stepId: step.id,
        pathId: path.id,
        index,
        total: plan.steps.length,
        warmupMs: step.warmupMs,
        durationMs: step.durationMs,
      });
      const workload = workloads[step.workload.kind];
      const planned = plan.paths.find((p) => p.id === step.pathId);
      const faults = planned?.kind === 'relay-emulated' ? planned.faults : [];
      const faultTimers = faults.map((fault) =>
        setTimeout(() => {
          onProgress?.({ type: 'log', line: `fault at ${fault.atMs} ms on ${path.id}: ${fault.action}${fault.agent === undefined ? '' : ` ${fault.agent}`}` });
          path.injectFault?.(fault).catch((error: unknown) => onProgress?.({ type: 'log', line: `fault ${fault.action} failed: ${String(error)}` }));
        }, fault.atMs),
      );
      let result: StepResult;
      try {
        const outcome = await workload.run({
          dialAddress: path.dialAddress,
          params: step.workload,
          warmupMs: step.warmupMs,
          durationMs: step.durationMs,
          signal,
          clock: options.clock ?? systemClock,
        });
        const base = identity(step);
        result = outcome.isAborted
          ? { ...base, status: 'aborted', reason: 'interrupted', metrics: outcome.metrics }
          : { ...base, status: 'completed', metrics: outcome.metrics };
      } catch (error) {
        const code = error instanceof HarnessError ? error.code : 'ERR_INTERNAL';
        result = {
          ...identity(step),
          status: 'failed',
          error: { code, message: error instanceof Error ? error.message : String(error) },
        };
      }
      for (const timer of faultTimers) clearTimeout(timer);
      if (faults.length > 0) await path.resetFaults?.();
      steps.push(result);
      onProgress?.({ type: 'step-end', result });
    }
    for (const path of topology.paths.values()) {
      if (path.readCounters === undefined) continue;
      const counters = await path.readCounters();
      pathCounters[path.id] = counters;
      if (relayPath === undefined && path.kind !== 'direct') {
        relayPath = {
          relay: (counters['relay'] ?? {}) as Record<string, unknown>,
          agent: (counters['agent'] ?? {}) as Record<string, unknown>,
          forwarder: (counters['forwarder'] ?? {}) as Record<string, unknown>,
        };
      }
    }
  } finally {
    await topology.close();
  }
  const isAborted = signal.aborted || steps.some((s) => s.status === 'aborted');
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    status: isAborted ? 'aborted' : steps.some((s) => s.status === 'failed') ? 'failed' : 'completed',
    startedAt,
    finishedAt: new Date(nowMs()).toISOString(),
    scenario: { file: options.scenarioFile, name: options.scenario.name, description: options.scenario.description, resolved: options.scenario },
    environment: await describeEnvironment(topology.roles, topology.rolePids),
    steps,
    topology: { network: plan.network, paths: plan.paths, target: plan.target },
    pathCounters,
    ...(relayPath === undefined ? {} : { relayPath }),
    overhead: computeOverhead(steps),
  };
}
