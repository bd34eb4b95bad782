// The generator's hot path for request/response transactions on an open persistent connection:
// the same round trips as tcp-request-response's async attempt (expect, write, wait, record), run
// as callbacks on state allocated once per slot, so that a transaction costs no async function,
// no promise per response and no closure. Anything else (no connection yet, a failure, a retry)
// goes back to the async path through the context.

import type { StepRecorder } from '../metrics/recorder.js';
import type { HotWindow } from '../net/keep-hot.js';
import { hotUntilReply } from './hot-reply.js';
import type { Dispatch, ExecuteResult } from './load-dispatch.js';
import type { ReadOutcome } from './response-reader.js';
import type { TcpConnection } from './tcp-connector.js';
import type { Clock } from './types.js';

/** A successful read. */
export type ReadOk = Extract<ReadOutcome, { ok: true }>;
/** A failed read. */
export type ReadFail = Extract<ReadOutcome, { ok: false }>;

/** What the direct runner shares with the driver. */
export interface DirectContext {
  clock: Clock;
  recorder: StepRecorder;
  /** The fixed request of every round trip (header included). */
  request: Buffer;
  responseBytes: number;
  roundTrips: number;
  expectedRoundTripUs: number | undefined;
  /** Records one completed round trip that started at `startNs` (and the connection's first byte). */
  recordRoundTrip(d: Dispatch, connection: TcpConnection, outcome: ReadOk, startNs: bigint): void;
  /** Settles a transaction whose read failed on `connection` (bytes already counted); calls `done` once. */
  onFailure(d: Dispatch, connection: TcpConnection, outcome: ReadFail, done: (result: ExecuteResult) => void): void;
}

/** One slot's transaction in progress. */
interface DirectSlot {
  d: Dispatch;
  connection: TcpConnection;
  /** Round trips completed. */
  k: number;
  transactionStartNs: bigint;
  startNs: bigint;
  hot: HotWindow | undefined;
  done: (result: ExecuteResult) => void;
  onOutcome: (outcome: ReadOutcome) => void;
}

/** Runs one transaction on `connection` for dispatch `d` and calls `done` once when it ends. */
export type DirectRunner = (d: Dispatch, connection: TcpConnection, done: (result: ExecuteResult) => void) => void;

/** A runner whose per-slot state lives as long as the runner. */
export function createDirectRunner(ctx: DirectContext): DirectRunner {
  const { clock, recorder, request } = ctx;
  const bySlot: DirectSlot[] = [];

  const send = (s: DirectSlot): void => {
    const startNs = clock.nowNs();
    s.startNs = startNs;
    if (s.k === 0) s.transactionStartNs = startNs;
    s.connection.reader.expectThen(ctx.responseBytes, s.onOutcome);
    s.hot = hotUntilReply(ctx.expectedRoundTripUs);
    s.connection.socket.write(request);
    recorder.addBytesSent(s.d.phase, request.length);
  };

  const onOutcome = (s: DirectSlot, outcome: ReadOutcome): void => {
    s.hot?.end();
    s.hot = undefined;
    const { d, connection, done } = s;
    recorder.addBytesReceived(d.phase, outcome.bytes);
    if (!outcome.ok) {
      ctx.onFailure(d, connection, outcome, done);
      return;
    }
    ctx.recordRoundTrip(d, connection, outcome, s.startNs);
    s.k += 1;
    if (s.k < ctx.roundTrips) {
      send(s);
      return;
    }
    recorder.countTransaction(d.phase);
    recorder.recordNs(d.phase, 'transaction', outcome.endNs - s.transactionStartNs);
    done({ ok: true, endNs: outcome.endNs });
  };

  return (d, connection, done) => {
    let s = bySlot[d.slot];
    if (s === undefined) {
      const created: DirectSlot = { d, connection, k: 0, transactionStartNs: 0n, startNs: 0n, hot: undefined, done, onOutcome: (outcome) => onOutcome(created, outcome) };
      bySlot[d.slot] = created;
      s = created;
    }
    s.d = d;
    s.connection = connection;
    s.k = 0;
    s.done = done;
    send(s);
  };
}
