// Orchestrates one run: builds the paths, runs every step on its path, reads the components'
// counters, and assembles the RunResult. Never prints; reports progress through a callback and
// hands a checkpoint (a valid result marked `aborted`, "in progress") to the caller after every
// step, so a crash or Ctrl-C always leaves a readable partial result. Every await is bounded:
// setup and steps by the abort signal (Ctrl-C), the step by its watchdog, and what follows a step
// (counters, checkpoint, teardown) by a deadline and, after Ctrl-C, by the interrupt budget.

import { emulationError } from '../analysis/emulation-error.js';
import { analyzeRun } from '../analysis/analyze-run.js';
import { computeOverhead } from '../analysis/overhead.js';
import { HarnessError, TargetUnreachableError } from '../errors.js';
import { probeTarget } from '../net/probe-target.js';
import { parseHostPort } from '../paths/topology.js';
import { RESULT_SCHEMA_VERSION, type RunEnvironment, type RunResult, type StepResult } from '../metrics/result.js';
import type { LiveInterval } from '../metrics/recorder.js';
import type { Plan } from '../plan/build-plan.js';
import { openTopology, type Topology } from '../paths/topology.js';
import type { Scenario } from '../scenario/schema.js';
import { systemClock, type Clock } from '../workloads/types.js';
import { bounded, interruptBudget, type InterruptBudget } from '../bounded.js';
import { describeEnvironment } from './environment.js';
import { runStep, type RunStepOptions } from './run-step.js';

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
  /**
   * The time left after Ctrl-C (see bounded.ts); the caller shares it to bound its own result
   * writing. Default: one of INTERRUPT_BUDGET_MS made here.
   */
  budget?: InterruptBudget;
  /** Passed to every step (see RunStepOptions): drivers by kind and the watchdog's bounds; tests only. */
  stepOptions?: Pick<RunStepOptions, 'workloads' | 'watchdog'>;
  /** The run's start on `clock` (ns), when the caller pairs it with a wall clock (`--start-at`); default now. */
  runStartNs?: bigint;
  /** `--start-at`: per step, when its measured window starts on `clock` (ns); see run/start-at.ts. */
  windowStarts?: readonly bigint[];
}

/** Longest wait for a path's counters after a step, ms. */
export const COUNTERS_TIMEOUT_MS = 5_000;
/** Longest wait for a checkpoint write, ms. */
export const CHECKPOINT_TIMEOUT_MS = 10_000;
/** Longest wait for the teardown of every path and role process, ms (then they are killed). */
export const TEARDOWN_TIMEOUT_MS = 60_000;

/** Why a result is marked aborted while the run is still going (what a crash leaves behind). */
export const IN_PROGRESS_REASON = 'in progress: the run was interrupted or crashed before it finished';

export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<RunResult> {
  const { signal, onProgress } = options;
  const nowMs = options.nowMs ?? Date.now;
  const startedAt = new Date(nowMs()).toISOString();
  const runStartNs = options.runStartNs ?? (options.clock ?? systemClock).nowNs();
  const log = (line: string) => onProgress?.({ type: 'log', line });
  await checkExternalTarget(plan, signal);
  onProgress?.({ type: 'setup', message: `starting paths: ${plan.paths.map((p) => p.id).join(', ')}` });
  const ownBudget = options.budget === undefined ? interruptBudget(signal) : undefined;
  const budget = options.budget ?? ownBudget!;
  const topology = await openTopology(plan, {
    onLog: (role, line) => log(`[${role}] ${line}`),
    signal,
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
  }).catch((error: unknown) => {
    ownBudget?.dispose();
    throw error;
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
      ...(relayCounters === undefined || relayId === undefined
        ? {}
        : {
            relayPath: {
              pathId: relayId,
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
      budget.hold();
      const measured = await runStep(step, path, {
        signal,
        clock: options.clock ?? systemClock,
        faults: planned?.kind === 'relay-emulated' ? planned.faults : [],
        log,
        runStartNs,
        ...(options.windowStarts?.[index] === undefined ? {} : { measuredStartNs: options.windowStarts[index] }),
        onInterval: (interval) => onProgress?.({ type: 'interval', stepId: step.id, interval }),
        ...options.stepOptions,
      });
      budget.release();
      const result = await checkStepTarget(plan, measured, signal);
      steps.push(result);
      onProgress?.({ type: 'step-end', result, index, total });
      await readCounters(topology, pathCounters, log, budget.teardownSignal);
      if (options.onCheckpoint !== undefined) {
        const partial = await assemble('aborted', IN_PROGRESS_REASON);
        await bounded(options.onCheckpoint(partial), { what: 'writing the checkpoint', signal: budget.signal, timeoutMs: CHECKPOINT_TIMEOUT_MS }).catch(
          (error: unknown) => log(`checkpoint not written: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
      // A target that went away fails every later step the same way: stop here.
      if (result.status === 'failed' && result.error.code === TARGET_UNREACHABLE_CODE) break;
    }
  } finally {
    budget.release();
    await closeTopology(topology, budget.teardownSignal, log);
    ownBudget?.dispose();
  }
  const isAborted = signal.aborted || steps.some((s) => s.status === 'aborted');
  const final = isAborted ? await assemble('aborted', 'interrupted') : await assemble(steps.some((s) => s.status === 'failed') ? 'failed' : 'completed');
  return { ...final, analysis: analyzeRun(final) };
}

/** How long the target may take to accept the pre-run probe connection, ms. */
const TARGET_PROBE_MS = 1000;

/**
 * An external target that refuses (or never answers) a connection fails the run at once, as a
 * target failure with its address and the error: every step would only measure refusals.
 */
async function checkExternalTarget(plan: Plan, signal: AbortSignal): Promise<void> {
  if (plan.target.kind !== 'external') return;
  const address = parseHostPort(plan.target.address);
  const probe = await probeTarget(address, { timeoutMs: TARGET_PROBE_MS, signal });
  if (probe.ok || probe.code === 'ABORTED') return;
  const what = probe.code === 'ETIMEDOUT' ? `did not accept a connection within ${TARGET_PROBE_MS} ms` : `refused the connection (${probe.code}: ${probe.message})`;
  throw new TargetUnreachableError(`target ${plan.target.address} ${what}; nothing was measured`, {
    hint: 'start the target server first (see the scenario\'s description), or point the run at it with --target-address host:port',
  });
}

/** The error code of a step whose target refused every connection. */
export const TARGET_UNREACHABLE_CODE = 'ERR_TARGET_UNREACHABLE';

/**
 * A step on an external target that completed nothing and counted only errors is checked: if the
 * target now refuses connections, the step failed as a target failure (not as data to judge).
 */
async function checkStepTarget(plan: Plan, step: StepResult, signal: AbortSignal): Promise<StepResult> {
  if (plan.target.kind !== 'external' || step.status === 'failed') return step;
  const { counters, warmupCounters } = step.metrics;
  const completed = counters.transactions + (warmupCounters?.transactions ?? 0);
  const errors = Object.values(counters.errors).reduce((a, b) => a + (b ?? 0), 0) + Object.values(warmupCounters?.errors ?? {}).reduce((a, b) => a + (b ?? 0), 0);
  if (completed > 0 || errors === 0) return step;
  const probe = await probeTarget(parseHostPort(plan.target.address), { timeoutMs: TARGET_PROBE_MS, signal });
  if (probe.ok || probe.code === 'ABORTED') return step;
  const { metrics: _metrics, ...identity } = step;
  const message = `target ${plan.target.address} refused every connection of this step (${errors} errors, 0 transactions; probe: ${probe.code})`;
  return { ...identity, status: 'failed', error: { code: TARGET_UNREACHABLE_CODE, message } };
}

/** Closes every path and role process; killed when that does not end within its bound. */
async function closeTopology(topology: Topology, budget: AbortSignal, log: (line: string) => void): Promise<void> {
  try {
    await bounded(topology.close(budget.aborted ? 500 : undefined), { what: 'closing the network paths', signal: budget, timeoutMs: TEARDOWN_TIMEOUT_MS });
  } catch (error) {
    log(`${error instanceof Error ? error.message : String(error)}; killing the role processes`);
    topology.kill();
  }
}

async function readCounters(
  topology: Topology,
  into: Record<string, Record<string, unknown>>,
  log: (line: string) => void,
  budget: AbortSignal,
): Promise<void> {
  for (const path of topology.paths.values()) {
    if (path.readCounters === undefined) continue;
    try {
      const what = `the counters of ${path.id} (${Object.values(path.components).join(', ')})`;
      into[path.id] = await bounded(path.readCounters(), { what, signal: budget, timeoutMs: COUNTERS_TIMEOUT_MS });
    } catch (error) {
      log(`could not read counters of ${path.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
