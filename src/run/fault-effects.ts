// What each injected fault did to the workload: from the transaction outcomes a driver reports
// as they happen, the errors by kind and completed transactions in the window after each
// injection (until the next one fires or the workload ends), and the recovery time — from the
// injection to the first success of a transaction dispatched after the injection had finished.

import type { TransactionOutcome } from '../metrics/recorder.js';
import type { FaultEvent } from '../metrics/result.js';
import type { Clock } from '../workloads/types.js';

interface Window {
  event: FaultEvent;
  startNs: bigint;
  /** When the injection finished (the fault is in effect); undefined while it runs or when it failed. */
  readyNs: bigint | undefined;
  endNs: bigint | undefined;
  transactions: number;
  errors: Record<string, number>;
  recoveredNs: bigint | undefined;
}

/** Tracks fault windows of one step. */
export interface FaultEffectTracker {
  /** Pass to the workload as `onOutcome`. */
  onOutcome(outcome: TransactionOutcome): void;
  /** An injection starts now: closes the previous window and opens this event's. Returns a callback for when it finished. */
  injectionStarted(event: FaultEvent): (isOk: boolean) => void;
  /** The workload ended: closes the last window and writes `effect` and `recoveryMs` into each injected event. */
  finish(): void;
}

/**
 * `reportsSuccesses`: the driver reports successful transactions (drivers on the load loop); when
 * false only errors are seen and `recoveryMs` is left out rather than reported as never.
 */
export function createFaultEffectTracker(clock: Clock, reportsSuccesses: boolean): FaultEffectTracker {
  const windows: Window[] = [];
  const nsToMs = (ns: bigint): number => Math.round(Number(ns) / 1e6);
  return {
    onOutcome(outcome) {
      const current = windows[windows.length - 1];
      if (current === undefined || current.endNs !== undefined) return;
      const nowNs = clock.nowNs();
      if (!outcome.ok) {
        current.errors[outcome.kind] = (current.errors[outcome.kind] ?? 0) + 1;
        return;
      }
      current.transactions += 1;
      for (const w of windows) {
        if (w.recoveredNs === undefined && w.readyNs !== undefined && outcome.dispatchNs >= w.readyNs) w.recoveredNs = nowNs;
      }
    },
    injectionStarted(event) {
      const nowNs = clock.nowNs();
      const previous = windows[windows.length - 1];
      if (previous !== undefined && previous.endNs === undefined) previous.endNs = nowNs;
      const window: Window = { event, startNs: nowNs, readyNs: undefined, endNs: undefined, transactions: 0, errors: {}, recoveredNs: undefined };
      windows.push(window);
      return (isOk) => {
        if (isOk) window.readyNs = clock.nowNs();
      };
    },
    finish() {
      const nowNs = clock.nowNs();
      for (const w of windows) {
        const endNs = w.endNs ?? nowNs;
        w.endNs = endNs;
        w.event.effect = { windowMs: nsToMs(endNs - w.startNs), transactions: w.transactions, errors: { ...w.errors } };
        if (reportsSuccesses) w.event.recoveryMs = w.recoveredNs === undefined ? null : nsToMs(w.recoveredNs - w.startNs);
      }
    },
  };
}
