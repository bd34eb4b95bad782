// Runs one planned step on its open path: the workload, plus the path's faults on their timers,
// undone afterwards. A workload failure becomes a `failed` StepResult, never an exception.

import { HarnessError } from '../errors.js';
import type { LiveInterval } from '../metrics/recorder.js';
import type { StepIdentity, StepResult } from '../metrics/result.js';
import type { PlannedFault, PlannedStep } from '../plan/build-plan.js';
import type { OpenPath } from '../paths/types.js';
import { workloads as shippedWorkloads, type WorkloadRegistry } from '../workloads/index.js';
import { stepDeadlineMs, watchStep } from './step-watchdog.js';
import type { Clock } from '../workloads/types.js';

export function stepIdentity(step: PlannedStep): StepIdentity {
  return {
    stepId: step.id,
    pathId: step.pathId,
    pathKind: step.pathKind,
    repetition: step.repetition,
    workload: { ...step.workload },
    variant: { ...step.variant },
  };
}

export interface RunStepOptions {
  signal: AbortSignal;
  clock: Clock;
  faults: readonly PlannedFault[];
  log: (line: string) => void;
  /** Live figures of each finished interval of the measured window. */
  onInterval?: (interval: LiveInterval) => void;
  /** Drivers by kind; default the shipped ones (tests pass a driver that never ends, for the watchdog). */
  workloads?: WorkloadRegistry;
  /** Watchdog: grace beyond the step's window (default STEP_GRACE_MS) and drain after Ctrl-C (default STEP_DRAIN_MS), ms. */
  watchdog?: { graceMs?: number; drainMs?: number };
}

export async function runStep(step: PlannedStep, path: OpenPath, options: RunStepOptions): Promise<StepResult> {
  const { faults, log } = options;
  const timers = faults.map((fault) =>
    setTimeout(() => {
      log(`fault at ${fault.atMs} ms on ${path.id}: ${fault.action}${fault.agent === undefined ? '' : ` ${fault.agent}`}`);
      path.injectFault?.(fault).catch((error: unknown) => log(`fault ${fault.action} failed: ${String(error)}`));
    }, fault.atMs),
  );
  try {
    const workloads = options.workloads ?? shippedWorkloads;
    const running = workloads[step.workload.kind].run({
      dialAddress: path.dialAddress,
      params: step.workload,
      warmupMs: step.warmupMs,
      durationMs: step.durationMs,
      signal: options.signal,
      clock: options.clock,
      ...(options.onInterval === undefined ? {} : { onInterval: options.onInterval }),
    });
    const outcome = await watchStep(running, {
      what: `app (pid ${process.pid}) workload ${step.workload.kind} of step ${step.id} on ${path.id}`,
      deadlineMs: stepDeadlineMs(step, options.watchdog?.graceMs),
      signal: options.signal,
      ...(options.watchdog?.drainMs === undefined ? {} : { drainMs: options.watchdog.drainMs }),
    });
    return outcome.isAborted
      ? { ...stepIdentity(step), status: 'aborted', reason: 'interrupted', metrics: outcome.metrics }
      : { ...stepIdentity(step), status: 'completed', metrics: outcome.metrics };
  } catch (error) {
    const code = error instanceof HarnessError ? error.code : 'ERR_INTERNAL';
    return { ...stepIdentity(step), status: 'failed', error: { code, message: error instanceof Error ? error.message : String(error) } };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    if (faults.length > 0) await path.resetFaults?.().catch((error: unknown) => log(`undoing faults failed: ${String(error)}`));
  }
}
