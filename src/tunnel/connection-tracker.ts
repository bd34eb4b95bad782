// Keeps the live set of connections of one tunnel endpoint and sums their pumps' counters into
// TunnelStats. Bookkeeping only: it never touches sockets (abortAll asks each connection to end itself).

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

/** One connection taken on, possibly still waiting for its pump (forwarder: for a setup slot). */
export interface TrackedConnection {
  /** Gives the connection its pump: its counters count from now, and abortAll aborts it. */
  attach(pump: Pump): void;
  /** Call once with the final error (if any); later calls are ignored. */
  settle(error: TunnelErrorKind | undefined): void;
}

/** Counters and live connections of one endpoint (forwarder or agent). */
export interface ConnectionTracker {
  /** A connection was taken on and has its pump; returns a function to call once with its final error (if any). */
  accept(pump: Pump): (error: TunnelErrorKind | undefined) => void;
  /**
   * A connection was taken on but has no pump yet: it counts as accepted and active until settled.
   * `abort` ends it while it has no pump (abortAll calls it).
   */
  enter(abort: () => void): TrackedConnection;
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
  /** Connections without a pump yet, each with its abort. */
  const waiting = new Set<() => void>();
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
  const activeCount = (): number => live.size + waiting.size;

  const enter = (abort: () => void): TrackedConnection => {
    accepted += 1;
    // A fresh function per connection: the same abort passed twice stays two entries.
    const entry = (): void => abort();
    waiting.add(entry);
    let pump: Pump | undefined;
    let isSettled = false;
    return {
      attach(attached) {
        if (isSettled || pump !== undefined) return;
        pump = attached;
        waiting.delete(entry);
        live.add(attached);
      },
      settle(error) {
        if (isSettled) return;
        isSettled = true;
        waiting.delete(entry);
        if (pump !== undefined) {
          live.delete(pump);
          for (const name of COUNTER_NAMES) closedTotals[name] += pump.counters[name];
        }
        if (activeCount() === 0) {
          for (const wake of idleWaiters) wake();
          idleWaiters = [];
        }
        if (error !== undefined) {
          failed += 1;
          countError(error);
        }
      },
    };
  };

  return {
    accept(pump) {
      const connection = enter(() => pump.abort());
      connection.attach(pump);
      return connection.settle;
    },
    enter,
    countError,
    snapshot() {
      const totals = { ...closedTotals };
      for (const pump of live) for (const name of COUNTER_NAMES) totals[name] += pump.counters[name];
      return {
        connectionsAccepted: accepted,
        connectionsActive: activeCount(),
        connectionsFailed: failed,
        errors: { ...errors },
        ...totals,
      };
    },
    async abortAll(code, reason) {
      for (const abort of [...waiting]) abort();
      for (const pump of [...live]) pump.abort(code, reason);
      if (activeCount() > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    activeCount,
    whenIdle() {
      return activeCount() === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
