// Runs one planned step on its open path: the workload, plus the path's faults on their timers,
// undone afterwards. A workload failure becomes a `failed` StepResult, never an exception.

import { HarnessError } from '../errors.js';
import type { LiveInterval } from '../metrics/recorder.js';
import type { FaultEvent, StepIdentity, StepResult } from '../metrics/result.js';
import { redactSecrets } from '../azure/sas-token.js';
import type { PlannedFault, PlannedStep } from '../plan/build-plan.js';
import type { OpenPath } from '../paths/types.js';
import { workloads as shippedWorkloads, type WorkloadRegistry } from '../workloads/index.js';
import { StepDeadline, stepDeadlineMs, watchStep } from './step-watchdog.js';
import { STEP_GRACE_MS } from '../bounded.js';
import type { Clock } from '../workloads/types.js';
import { createFaultEffectTracker } from './fault-effects.js';
import { awaitScheduledWindow, emptyStepResult } from './start-at.js';

/** Drivers on the load loop, which report successful transactions as they end (see `onOutcome`). */
const REPORTS_SUCCESSES: ReadonlySet<string> = new Set(['tcp-request-response', 'connection-churn', 'dialog']);

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
  /** The run's start on `clock` (ns): each step's measured window is placed after it (metrics.windowStartMs). */
  runStartNs?: bigint;
  /** `--start-at`: when this step's measured window is scheduled to start on `clock` (ns); default: after a full warm-up from now. */
  measuredStartNs?: bigint;
}

/** Error code of a step whose fault injection or undo failed. */
export const FAULT_FAILED_CODE = 'ERR_FAULT_INJECTION';

/**
 * Runs the workload with the path's faults on their timers, then undoes them. Every injection and
 * the undo are recorded as `faultEvents`; one that failed fails the step with its reason.
 */
export async function runStep(step: PlannedStep & { emptyShare?: string }, path: OpenPath, options: RunStepOptions): Promise<StepResult> {
  const { faults, log } = options;
  if (step.emptyShare !== undefined) {
    log(`step ${step.id}: ${step.emptyShare}`);
    const windowStartMs = options.runStartNs === undefined || options.measuredStartNs === undefined ? undefined : Number(options.measuredStartNs - options.runStartNs) / 1e6;
    return emptyStepResult(stepIdentity(step), step, step.emptyShare, windowStartMs);
  }
  const scheduled = options.measuredStartNs === undefined ? undefined : await awaitScheduledWindow(step, options.measuredStartNs, options.clock, options.signal);
  if (scheduled?.note !== undefined) log(`step ${step.id}: ${scheduled.note}`);
  const warmupMs = scheduled?.warmupMs ?? step.warmupMs;
  const startedAt = performance.now();
  const events: FaultEvent[] = [];
  const pending: Promise<void>[] = [];
  const generators = (step.workload as { generators?: number }).generators ?? 1;
  // With generators > 1 the outcomes stay in the worker threads: no fault effects then.
  const tracker = faults.length > 0 && generators <= 1 ? createFaultEffectTracker(options.clock, REPORTS_SUCCESSES.has(step.workload.kind)) : undefined;
  const record = async (fault: PlannedFault | undefined, phase: FaultEvent['phase'], action: () => Promise<void> | undefined): Promise<void> => {
    const firedAtMs = Math.round(performance.now() - startedAt);
    const event: FaultEvent = {
      action: fault?.action ?? 'reset',
      ...(fault?.agent === undefined ? {} : { agent: fault.agent }),
      phase,
      atMs: fault?.atMs ?? firedAtMs,
      firedAtMs,
      tookMs: 0,
      outcome: 'ok',
    };
    events.push(event);
    const injected = phase === 'inject' ? tracker?.injectionStarted(event) : undefined;
    try {
      await action();
      injected?.(true);
    } catch (error) {
      injected?.(false);
      event.outcome = 'failed';
      event.error = redactSecrets(error instanceof Error ? error.message : String(error)).slice(0, 300);
      log(`fault ${event.action} (${phase}) failed: ${event.error}`);
    }
    event.tookMs = Math.round(performance.now() - startedAt) - firedAtMs;
  };
  const timers: NodeJS.Timeout[] = [];
  // Node's timers may fire up to a millisecond early by the monotonic clock: never inject before the planned time.
  const arm = (fault: PlannedFault, delayMs: number): void => {
    timers.push(
      setTimeout(() => {
        const earlyMs = fault.atMs - (performance.now() - startedAt);
        if (earlyMs > 0) return arm(fault, Math.ceil(earlyMs));
        log(`fault at ${fault.atMs} ms on ${path.id}: ${fault.action}${fault.agent === undefined ? '' : ` ${fault.agent}`}`);
        pending.push(record(fault, 'inject', () => path.injectFault?.(fault)));
      }, delayMs),
    );
  };
  for (const fault of faults) arm(fault, fault.atMs);
  const withFaults = async (result: StepResult): Promise<StepResult> => {
    for (const timer of timers) clearTimeout(timer);
    // Injections still in flight are bounded by their role-call deadlines.
    await Promise.all(pending);
    tracker?.finish();
    if (faults.length > 0) await record(undefined, 'undo', () => path.resetFaults?.());
    if (faults.length === 0) return result;
    const failed = events.find((event) => event.outcome === 'failed');
    // After Ctrl-C the role processes refuse new fault calls (interrupted): the step is aborted, not failed.
    if (failed !== undefined && result.status !== 'failed' && !options.signal.aborted) {
      return {
        ...stepIdentity(step),
        status: 'failed',
        error: { code: FAULT_FAILED_CODE, message: `fault ${failed.action} (${failed.phase} at ${failed.firedAtMs} ms) failed: ${failed.error ?? 'unknown'}` },
        faultEvents: events,
      };
    }
    return { ...result, faultEvents: events };
  };
  let result: StepResult;
  try {
    const workloads = options.workloads ?? shippedWorkloads;
    const windowStartNs = scheduled?.windowStartNs ?? options.clock.nowNs();
    const graceMs = options.watchdog?.graceMs ?? STEP_GRACE_MS;
    const deadline = new StepDeadline(stepDeadlineMs(step, graceMs), graceMs);
    const running = workloads[step.workload.kind].run({
      windowStartNs,
      ...(path.configuredRoundTripUs === undefined || path.configuredRoundTripUs <= 0 ? {} : { expectedRoundTripUs: path.configuredRoundTripUs }),
      dialAddress: path.dialAddress,
      params: step.workload,
      warmupMs,
      durationMs: step.durationMs,
      signal: options.signal,
      clock: options.clock,
      ...(options.onInterval === undefined ? {} : { onInterval: options.onInterval }),
      ...(tracker === undefined ? {} : { onOutcome: (outcome) => tracker.onOutcome(outcome) }),
      extendDeadline: (ms) => deadline.allow(ms),
    });
    const outcome = await watchStep(running, {
      what: `app (pid ${process.pid}) workload ${step.workload.kind} of step ${step.id} on ${path.id}`,
      deadlineMs: deadline,
      signal: options.signal,
      ...(options.watchdog?.drainMs === undefined ? {} : { drainMs: options.watchdog.drainMs }),
    });
    if (options.runStartNs !== undefined) {
      outcome.metrics.windowStartMs = Number((outcome.windowStartNs ?? windowStartNs) + BigInt(Math.round(warmupMs * 1e6)) - options.runStartNs) / 1e6;
    }
    if (scheduled?.note !== undefined) outcome.metrics.notes = [...(outcome.metrics.notes ?? []), scheduled.note];
    result = outcome.isAborted
      ? { ...stepIdentity(step), status: 'aborted', reason: 'interrupted', metrics: outcome.metrics }
      : { ...stepIdentity(step), status: 'completed', metrics: outcome.metrics };
  } catch (error) {
    const code = error instanceof HarnessError ? error.code : 'ERR_INTERNAL';
    result = { ...stepIdentity(step), status: 'failed', error: { code, message: error instanceof Error ? error.message : String(error) } };
  }
  return withFaults(result);
}
