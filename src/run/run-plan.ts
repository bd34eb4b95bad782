// Orchestrates one run: builds the paths, runs every step on its path, reads the components'
// counters, and assembles the RunResult. Never prints; reports progress through a callback and
// hands a checkpoint (a valid result marked `aborted`, "in progress") to the caller after every
// step, so a crash or Ctrl-C always leaves a readable partial result.

import { emulationError } from '../metrics/emulation.js';
import { analyzeRun } from '../analysis/analyze-run.js';
import { computeOverhead } from '../analysis/overhead.js';
import { HarnessError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, type RunEnvironment, type RunResult, type StepResult } from '../metrics/result.js';
import type { LiveInterval } from '../metrics/recorder.js';
import type { Plan } from '../plan/build-plan.js';
import { openTopology, type Topology } from '../paths/topology.js';
import type { Scenario } from '../scenario/schema.js';
import { systemClock, type Clock } from '../workloads/types.js';
import { describeEnvironment } from './environment.js';
import { runStep } from './run-step.js';

export type RunProgress =
  | { type: 'setup'; message: string }
  | { type: 'step-start'; stepId: string; pathId: string; repetition: number; index: number; total: number; warmupMs: number; durationMs: number }
  | { type: 'step-end'; result: StepResult; index: number; total: number }
  | { type: 'interval'; stepId: string; interval: LiveInterval }
  | { type: 'log'; line: string };

export interface RunPlanOptions {
  scenario: Scenario;
  scenarioFile: string;
  signal: AbortSignal;
  clock?: Clock;
  onProgress?: (event: RunProgress) => void;
  /** Called with the result so far after every step (status `aborted`, reason "in progress"). */
  onCheckpoint?: (partial: RunResult) => Promise<void>;
  /** Values of environment variables the plan names (relay-azure connection strings). */
  secrets?: Record<string, string | undefined>;
  /** Wall clock for the result's timestamps (epoch ms), injectable for tests. */
  nowMs?: () => number;
}

/** Why a result is marked aborted while the run is still going (what a crash leaves behind). */
export const IN_PROGRESS_REASON = 'in progress: the run was interrupted or crashed before it finished';

export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<RunResult> {
  const { signal, onProgress } = options;
  const nowMs = options.nowMs ?? Date.now;
  const startedAt = new Date(nowMs()).toISOString();
  const log = (line: string) => onProgress?.({ type: 'log', line });
  onProgress?.({ type: 'setup', message: `starting paths: ${plan.paths.map((p) => p.id).join(', ')}` });
  const topology = await openTopology(plan, {
    onLog: (role, line) => log(`[${role}] ${line}`),
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
  });
  const steps: StepResult[] = [];
  const pathCounters: Record<string, Record<string, unknown>> = {};
  let environment: RunEnvironment | undefined;
  const assemble = async (status: RunResult['status'], abortReason?: string): Promise<RunResult> => {
    environment ??= await describeEnvironment(topology.roles, topology.rolePids);
    const relayId = plan.paths.find((p) => p.kind !== 'direct')?.id;
    const relayCounters = relayId === undefined ? undefined : pathCounters[relayId];
    return {
      schemaVersion: RESULT_SCHEMA_VERSION,
      status,
      ...(abortReason === undefined ? {} : { abortReason }),
      startedAt,
      finishedAt: new Date(nowMs()).toISOString(),
      scenario: { file: options.scenarioFile, name: options.scenario.name, description: options.scenario.description, resolved: options.scenario },
      environment,
      steps: [...steps],
      topology: { network: plan.network, paths: plan.paths, target: plan.target },
      pathCounters: { ...pathCounters },
      ...(relayCounters === undefined
        ? {}
        : {
            relayPath: {
              relay: (relayCounters['relay'] ?? {}) as Record<string, unknown>,
              agent: (relayCounters['agent'] ?? {}) as Record<string, unknown>,
              forwarder: (relayCounters['forwarder'] ?? {}) as Record<string, unknown>,
            },
          }),
      overhead: computeOverhead(steps),
      emulation: Object.fromEntries(plan.paths.map((path) => [path.id, emulationError(path, pathCounters[path.id])])),
    };
  };
  try {
    for (const [index, step] of plan.steps.entries()) {
      if (signal.aborted) break;
      const path = topology.paths.get(step.pathId);
      if (path === undefined) throw new HarnessError('ERR_PLAN', 1, `step ${step.id} names unknown path ${step.pathId}`);
      const total = plan.steps.length;
      onProgress?.({ type: 'step-start', stepId: step.id, pathId: path.id, repetition: step.repetition, index, total, warmupMs: step.warmupMs, durationMs: step.durationMs });
      const planned = plan.paths.find((p) => p.id === step.pathId);
      const result = await runStep(step, path, {
        signal,
        clock: options.clock ?? systemClock,
        faults: planned?.kind === 'relay-emulated' ? planned.faults : [],
        log,
        onInterval: (interval) => onProgress?.({ type: 'interval', stepId: step.id, interval }),
      });
      steps.push(result);
      onProgress?.({ type: 'step-end', result, index, total });
      await readCounters(topology, pathCounters, log);
      await options.onCheckpoint?.(await assemble('aborted', IN_PROGRESS_REASON));
    }
  } finally {
    await topology.close();
  }
  const isAborted = signal.aborted || steps.some((s) => s.status === 'aborted');
  const final = isAborted ? await assemble('aborted', 'interrupted') : await assemble(steps.some((s) => s.status === 'failed') ? 'failed' : 'completed');
  return { ...final, analysis: analyzeRun(final) };
}

async function readCounters(topology: Topology, into: Record<string, Record<string, unknown>>, log: (line: string) => void): Promise<void> {
  for (const path of topology.paths.values()) {
    if (path.readCounters === undefined) continue;
    try {
      into[path.id] = await path.readCounters();
    } catch (error) {
      log(`could not read counters of ${path.id}: ${String(error)}`);
    }
  }
}
