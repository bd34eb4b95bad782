// Every await of a run is bounded: by the run's abort signal (Ctrl-C), by a deadline, or by both.
// These are the primitives, and the bounds the README states for Ctrl-C.

import { InterruptedError, StuckError } from './errors.js';

/**
 * After the first Ctrl-C, the time a command has, beyond the current step's drain, to read the
 * counters, stop its role processes and write the result (ms). The README states this bound.
 */
export const INTERRUPT_BUDGET_MS = 2_000;

/**
 * Longest a step's workload may take to stop once the run is interrupted (its drain, ms): drivers
 * stop at once and destroy their connections, so this only ends a stuck one.
 */
export const STEP_DRAIN_MS = 5_000;

/** Extra time a step's workload gets beyond warm-up + duration + its own timeouts before the watchdog fails it (ms). */
export const STEP_GRACE_MS = 30_000;

/** A wait and what bounds it. */
export interface WaitBound {
  /** What is waited for, as "<process> <operation>", e.g. "onprem process (pid 12) startAgent". */
  what: string;
  /** Rejects with {@link InterruptedError} when this aborts. */
  signal?: AbortSignal | undefined;
  /** Rejects with {@link StuckError} after this many ms. */
  timeoutMs?: number | undefined;
}

/**
 * Resolves or rejects as `work` does, unless the signal aborts first (InterruptedError) or the
 * deadline passes first (StuckError); both errors name `what`. `work` itself is not cancelled:
 * pass the same signal into it where it can stop early.
 */
export function bounded<T>(work: Promise<T>, bound: WaitBound): Promise<T> {
  const { signal, timeoutMs, what } = bound;
  const interrupted = (): InterruptedError =>
    signal?.reason instanceof InterruptedError
      ? new InterruptedError(`${what} ${signal.reason.message}`)
      : new InterruptedError(`interrupted while waiting for ${what}`);
  if (signal?.aborted === true) {
    work.catch(() => undefined);
    return Promise.reject(interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      work.catch(() => undefined);
      reject(interrupted());
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        cleanup();
        work.catch(() => undefined);
        reject(new StuckError(`${what} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
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

/**
 * The time a command has after Ctrl-C ({@link INTERRUPT_BUDGET_MS}), not counting the current
 * step's drain: `signal` aborts `budgetMs` after the interrupt, but while the budget is held (a step
 * is running and draining) the clock has not started yet.
 */
export interface InterruptBudget {
  /** Aborts once the time after the interrupt is up (bounds writing the result). */
  signal: AbortSignal;
  /** Aborts {@link WRITE_RESERVE_MS} earlier (bounds counters and teardown, so the result still gets written). */
  teardownSignal: AbortSignal;
  /** A step is running: its drain does not count. */
  hold(): void;
  /** The step ended: if interrupted, the clock starts now (once). */
  release(): void;
  /** Clears the timer and listener. */
  dispose(): void;
}

/** Part of the interrupt budget kept for writing the result after counters and teardown, ms. */
export const WRITE_RESERVE_MS = 500;

/** See {@link InterruptBudget}. Starts released. */
export function interruptBudget(interrupt: AbortSignal, budgetMs: number = INTERRUPT_BUDGET_MS): InterruptBudget {
  const controller = new AbortController();
  const teardown = new AbortController();
  const teardownMs = Math.max(0, budgetMs - Math.min(WRITE_RESERVE_MS, budgetMs / 2));
  let timer: NodeJS.Timeout | undefined;
  let teardownTimer: NodeJS.Timeout | undefined;
  let isHeld = false;
  const start = (): void => {
    if (timer !== undefined || isHeld || !interrupt.aborted) return;
    timer = setTimeout(() => controller.abort(new InterruptedError(`did not finish within ${budgetMs} ms of the interrupt`)), budgetMs);
    teardownTimer = setTimeout(() => teardown.abort(new InterruptedError(`did not finish within ${teardownMs} ms of the interrupt`)), teardownMs);
    // Deadlines only: whatever they bound keeps the process alive, these timers must not.
    timer.unref();
    teardownTimer.unref();
  };
  interrupt.addEventListener('abort', start, { once: true });
  return {
    signal: controller.signal,
    teardownSignal: teardown.signal,
    hold() {
      isHeld = true;
    },
    release() {
      isHeld = false;
      start();
    },
    dispose() {
      clearTimeout(timer);
      clearTimeout(teardownTimer);
      interrupt.removeEventListener('abort', start);
    },
  };
}

/** For `.catch`: an InterruptedError becomes `undefined` (stop, keep what was measured); anything else is rethrown. */
export function undefinedIfInterrupted(error: unknown): undefined {
  if (error instanceof InterruptedError) return undefined;
  throw error;
}
