// Answers timed requests (protocol/request-response.ts) after their delay: the replay workload's
// recorded server time. Timers have millisecond granularity and fire late, while recorded server
// times are often tens of microseconds, so due responses are kept in one queue ordered by due
// time: a timer sleeps until about a millisecond before the earliest, then the event loop is
// turned (setImmediate, I/O keeps flowing) until it is due. Per connection, responses keep their
// order: one is never due before the previous one on the same socket.

import type net from 'node:net';

/** Closer than this, ms, the queue polls with setImmediate instead of sleeping on a timer. */
const SPIN_MS = 1.5;

interface Due {
  atMs: number;
  socket: net.Socket;
  responseBytes: number;
}

export interface DelayedResponses {
  /** Answers `responseBytes` on `socket` `delayUs` after now (and not before its previous one). */
  add(socket: net.Socket, responseBytes: number, delayUs: number): void;
  /** Forgets a closed socket's pending responses. */
  drop(socket: net.Socket): void;
  cancel(): void;
}

/** A queue that calls `respond` for each timed request when it is due. */
export function createDelayedResponses(respond: (socket: net.Socket, responseBytes: number) => void): DelayedResponses {
  const queue: Due[] = [];
  const lastDue = new Map<net.Socket, number>();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const pump = (): void => {
    timer = undefined;
    immediate = undefined;
    const now = performance.now();
    let i = 0;
    while (i < queue.length && (queue[i]?.atMs ?? Infinity) <= now) i++;
    for (const due of queue.splice(0, i)) if (!due.socket.destroyed) respond(due.socket, due.responseBytes);
    arm();
  };

  const arm = (): void => {
    if (timer !== undefined || immediate !== undefined) return;
    const first = queue[0];
    if (first === undefined) return;
    const waitMs = first.atMs - performance.now();
    if (waitMs > SPIN_MS) timer = setTimeout(pump, waitMs - SPIN_MS + 0.5);
    else immediate = setImmediate(pump);
  };

  return {
    add: (socket, responseBytes, delayUs) => {
      const atMs = Math.max(performance.now() + delayUs / 1000, lastDue.get(socket) ?? 0);
      lastDue.set(socket, atMs);
      // Insert in due order (after equal ones, so a socket's order holds); usually at the end.
      let at = queue.length;
      while (at > 0 && (queue[at - 1]?.atMs ?? 0) > atMs) at--;
      queue.splice(at, 0, { atMs, socket, responseBytes });
      if (at === 0 && timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      arm();
    },
    drop: (socket) => {
      lastDue.delete(socket);
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.socket === socket) queue.splice(i, 1);
    },
    cancel: () => {
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
      queue.length = 0;
      lastDue.clear();
    },
  };
}
