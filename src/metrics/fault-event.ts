// Result shapes of the faults a step injected and undid (part of RunResult, re-exported by
// result.ts): plain serialisable JSON.

/**
 * One fault the step injected (or undid), as it happened: `atMs` is when it was planned and
 * `firedAtMs` when the injection started, both in ms after the step started (warm-up included);
 * `tookMs` how long the injection took. A failed injection or undo carries its reason and fails the step.
 */
export interface FaultEvent {
  action: string;
  /** Which agent `stop-agent` stopped (0-based). */
  agent?: number;
  /** `inject` for a planned fault, `undo` for the reset after the step. */
  phase: 'inject' | 'undo';
  atMs: number;
  firedAtMs: number;
  tookMs: number;
  outcome: 'ok' | 'failed';
  /** Why it failed (secret-free). */
  error?: string;
  /**
   * Injections only: what the workload saw from this injection until the next one fired (or the
   * workload ended), warm-up included. Absent for the undo and with `generators` > 1.
   */
  effect?: FaultEffect;
  /**
   * Injections only: ms from the injection's start to the first successful transaction among those
   * dispatched after the injection had finished; null when none succeeded before the workload
   * ended (the fault held). Absent when the driver does not report successes (tcp-stream, http).
   */
  recoveryMs?: number | null;
}

/** Errors by kind and completed transactions in the window after one injection. */
export interface FaultEffect {
  windowMs: number;
  transactions: number;
  errors: Record<string, number>;
}
