// Keeps the live set of pumps of one tunnel endpoint and sums their counters into TunnelStats.
// Bookkeeping only: it never touches sockets (abortAll asks each pump to end itself).

import type { Pump, PumpCounters } from './pump.js';
import type { TunnelErrorKind, TunnelStats } from './types.js';

type CounterName = keyof PumpCounters;
const COUNTER_NAMES: readonly CounterName[] = [
  'bytesToRelay',
  'bytesFromRelay',
  'messagesToRelay',
  'messagesFromRelay',
  'tcpReadPauses',
  'relayReadPauses',
];

/** Counters and live connections of one endpoint (forwarder or agent). */
export interface ConnectionTracker {
  /** A connection was taken on; returns a function to call once with its final error (if any). */
  accept(pump: Pump): (error: TunnelErrorKind | undefined) => void;
  /** Counts an error that did not end a tracked connection (e.g. a failed listen attempt). */
  countError(kind: string): void;
  /** Totals so far, including bytes of connections still open. */
  snapshot(): TunnelStats;
  /** Aborts every live connection and resolves when all have ended. */
  abortAll(code?: number, reason?: string): Promise<void>;
  /** Number of live connections. */
  activeCount(): number;
  /** Resolves when no connection is live (at once if none is). */
  whenIdle(): Promise<void>;
}

/** A tracker with zero counters and no live connections. */
export function createConnectionTracker(): ConnectionTracker {
  const live = new Set<Pump>();
  const closedTotals: PumpCounters = {
    bytesToRelay: 0,
    bytesFromRelay: 0,
    messagesToRelay: 0,
    messagesFromRelay: 0,
    tcpReadPauses: 0,
    relayReadPauses: 0,
  };
  const errors: Record<string, number> = {};
  let accepted = 0;
  let failed = 0;
  let idleWaiters: (() => void)[] = [];

  const countError = (kind: string): void => {
    errors[kind] = (errors[kind] ?? 0) + 1;
  };

  return {
    accept(pump) {
      accepted += 1;
      live.add(pump);
      let isSettled = false;
      return (error) => {
        if (isSettled) return;
        isSettled = true;
        live.delete(pump);
        for (const name of COUNTER_NAMES) closedTotals[name] += pump.counters[name];
        if (live.size === 0) {
          for (const wake of idleWaiters) wake();
          idleWaiters = [];
        }
        if (error !== undefined) {
          failed += 1;
          countError(error);
        }
      };
    },
    countError,
    snapshot() {
      const totals = { ...closedTotals };
      for (const pump of live) for (const name of COUNTER_NAMES) totals[name] += pump.counters[name];
      return {
        connectionsAccepted: accepted,
        connectionsActive: live.size,
        connectionsFailed: failed,
        errors: { ...errors },
        ...totals,
      };
    },
    async abortAll(code, reason) {
      const pumps = [...live];
      for (const pump of pumps) pump.abort(code, reason);
      await Promise.all(pumps.map((p) => p.done));
    },
    activeCount: () => live.size,
    whenIdle() {
      return live.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
