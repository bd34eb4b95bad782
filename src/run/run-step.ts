// Runs one planned step on its open path: the workload, plus the path's faults on their timers,
// undone afterwards. A workload failure becomes a `failed` StepResult, never an exception.

import { HarnessError } from '../errors.js';
import type { LiveInterval } from '../metrics/recorder.js';
import type { StepIdentity, StepResult } from '../metrics/result.js';
import type { PlannedFault, PlannedStep } from '../plan/build-plan.js';
import type { OpenPath } from '../paths/types.js';
import { workloads } from '../workloads/index.js';
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
  /** The run's start on `clock` (ns): each step's measured window is placed after it (metrics.windowStartMs). */
  runStartNs?: bigint;
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
    const windowStartNs = options.clock.nowNs();
    const outcome = await workloads[step.workload.kind].run({
      windowStartNs,
      dialAddress: path.dialAddress,
      params: step.workload,
      warmupMs: step.warmupMs,
      durationMs: step.durationMs,
      signal: options.signal,
      clock: options.clock,
      ...(options.onInterval === undefined ? {} : { onInterval: options.onInterval }),
    });
    if (options.runStartNs !== undefined) {
      outcome.metrics.windowStartMs = Number(windowStartNs + BigInt(step.warmupMs) * 1_000_000n - options.runStartNs) / 1e6;
    }
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
