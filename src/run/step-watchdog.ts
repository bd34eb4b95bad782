// The step watchdog: a workload that neither finishes by its deadline nor stops after Ctrl-C
// becomes a failed step naming what it waited for, instead of a run that hangs. Drivers have
// their own hard deadlines; this is the net under a driver bug or a wedged dependency.

import { StuckError } from '../errors.js';
import { STEP_DRAIN_MS, STEP_GRACE_MS } from '../bounded.js';

export interface WatchOptions {
  /** "<process> <operation>", e.g. "app (pid 12) workload tcp-request-response on relay-emulated". */
  what: string;
  /** Longest the work may take without an interrupt, ms; a StepDeadline may be lengthened while it runs. */
  deadlineMs: number | StepDeadline;
  /** Ctrl-C; once it aborts the work has `drainMs` left. */
  signal: AbortSignal;
  /** Time to stop after the interrupt, ms. Default {@link STEP_DRAIN_MS}. */
  drainMs?: number;
}

/** The watchdog deadline of a step: its warm-up and window plus `graceMs` (default {@link STEP_GRACE_MS}). */
export function stepDeadlineMs(step: { warmupMs: number; durationMs: number }, graceMs: number = STEP_GRACE_MS): number {
  return step.warmupMs + step.durationMs + graceMs;
}

/**
 * A step's watchdog deadline that its driver may lengthen: a driver whose own hard deadline is
 * longer than its window (a replay of conversations recorded longer than the window) reports it
 * through `allow`, and the watchdog then waits for that plus the grace. It never shortens.
 */
export class StepDeadline {
  private readonly startMs = performance.now();
  private totalMs: number;
  private listener: (() => void) | undefined;

  constructor(initialMs: number, private readonly graceMs: number) {
    this.totalMs = initialMs;
  }

  /** The driver's own hard deadline is `ms` from now: the watchdog allows that plus the grace. */
  allow(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    const total = Math.round(performance.now() - this.startMs + ms + this.graceMs);
    if (total <= this.totalMs) return;
    this.totalMs = total;
    this.listener?.();
  }

  /** The whole deadline from the start, ms. */
  get ms(): number {
    return this.totalMs;
  }

  /** What is left of it now, ms. */
  remainingMs(): number {
    return Math.max(0, this.startMs + this.totalMs - performance.now());
  }

  /** Called on every lengthening (one listener: the watchdog's). */
  onChange(listener: () => void): void {
    this.listener = listener;
  }
}

/**
 * Resolves or rejects as `work` does, unless `deadlineMs` passes, or the signal aborted and
 * `drainMs` passed since: then it rejects with a StuckError naming `what` (the work itself cannot
 * be cancelled and is left to end on its own).
 */
export function watchStep<T>(work: Promise<T>, options: WatchOptions): Promise<T> {
  const drainMs = options.drainMs ?? STEP_DRAIN_MS;
  const { signal } = options;
  return new Promise<T>((resolve, reject) => {
    let drainTimer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(deadline);
      clearTimeout(drainTimer);
      signal.removeEventListener('abort', onAbort);
    };
    const stuck = (message: string): void => {
      cleanup();
      work.catch(() => undefined);
      reject(new StuckError(message));
    };
    const limit = typeof options.deadlineMs === 'number' ? new StepDeadline(options.deadlineMs, 0) : options.deadlineMs;
    const expire = (): void => stuck(`stuck: ${options.what} did not finish within ${limit.ms} ms`);
    let deadline = setTimeout(expire, limit.remainingMs());
    limit.onChange(() => {
      clearTimeout(deadline);
      deadline = setTimeout(expire, limit.remainingMs());
    });
    const onAbort = (): void => {
      drainTimer = setTimeout(() => stuck(`stuck: ${options.what} did not stop within ${drainMs} ms of the interrupt`), drainMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
