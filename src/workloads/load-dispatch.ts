// Shapes shared by the load loop (load-loop.ts, closed model) and the open-model pacer
// (open-loop.ts): one transaction handed to a slot, what the driver reports back, and the loop's
// options. Types only.

import type { Phase, StepRecorder } from '../metrics/recorder.js';
import type { Clock, LoadModel } from './types.js';
import type { RunWindow } from './run-window.js';

/**
 * One transaction handed to a slot. Times are clock ns. The open model hands each slot one object,
 * rewritten per transaction: a driver reads it until its transaction settles, never after.
 */
export interface Dispatch {
  phase: Phase;
  /** Slot index in 0..slots-1; a slot runs one transaction at a time (e.g. owns one connection). */
  slot: number;
  /** Open model: the scheduled start; undefined in the closed model. */
  intendedNs: bigint | undefined;
  dispatchNs: bigint;
}

/** What `execute` reports: completion time of a successful transaction, or failure (already counted). */
export type ExecuteResult = { ok: true; endNs: bigint } | { ok: false };

export interface LoadLoopOptions {
  load: LoadModel;
  /** Concurrency: closed-model workers, open-model maximum in flight (capped by `maxInFlight`). */
  slots: number;
  window: RunWindow;
  clock: Clock;
  stop: AbortSignal;
  recorder: StepRecorder;
  /** Runs one transaction; must resolve (never reject) and count its own errors. */
  execute: (dispatch: Dispatch) => Promise<ExecuteResult>;
  /**
   * Optional callback form of `execute` for the open model's hot path: runs one transaction and
   * calls `done` exactly once (never from within the call itself), counting its own errors.
   */
  executeNow?: (dispatch: Dispatch, done: (result: ExecuteResult) => void) => void;
}
