// One bidirectional byte pump between a TCP socket and a relayed WebSocket (binary messages): its
// lifecycle — start once the WebSocket is open, half-close as FIN markers, the close mapping of
// close-codes.ts, a bounded teardown — around the data path of pump-flow.ts (bytes, backpressure,
// hop timing). It owns neither socket's creation and never logs; its caller counts and reports the outcome.

import type { Socket } from 'node:net';
import { hrtime } from 'node:process';
import {
  CLOSE_FIN,
  CLOSE_CONNECTION_LIMIT,
  CLOSE_GOING_AWAY,
  CLOSE_IDLE,
  CLOSE_RESET,
  CLOSE_TARGET_UNREACHABLE,
  closeReason,
  isSendableCloseCode,
  tcpActionForClose,
} from './close-codes.js';
import { createActivityDeadline } from './activity-deadline.js';
import { type MessageSocket, WS_CONNECTING, WS_OPEN, discardWebSocket, messageToBuffer } from '../net/message-socket.js';
import { classifyRelayError } from './relay-errors.js';
import { createPumpFlow } from './pump-flow.js';
import { type SetupHold, holdDuringSetup } from './setup-hold.js';
import type { Pump, PumpEnd, PumpOptions, PumpOutcome } from './pump-types.js';
import type { TunnelErrorKind } from './types.js';

export type { Pump, PumpCounters, PumpOptions } from './pump-types.js';

/**
 * Starts pumping between `socket` and `ws`. While the WebSocket is still connecting (hyco-ws hands
 * out sockets that are), TCP is read into a bounded hold (setup-hold.ts: a reset is seen at once)
 * whose bytes are sent when it opens; beyond the hold the kernel's queue buffers.
 * The socket should be created with `allowHalfOpen: true` so each direction can end on its own
 * (half-close carried as an empty-message FIN marker, close-codes.ts).
 */
export function createPump(socket: Socket, ws: MessageSocket, options: PumpOptions = {}): Pump {
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 0;
  const isHalfCloseOn = options.halfClose ?? true;
  const state = {
    tcpClosed: socket.destroyed,
    wsClosed: false,
    tearingDown: false,
    finished: false,
    wasOpened: false,
    /** Local FIN read and passed on as an empty message. */
    sentFin: false,
    /** Empty message (far FIN) received and our TCP socket ended. */
    receivedFin: false,
  };
  const outcome: PumpOutcome = { end: 'fin-remote', closeCode: undefined, closeReason: '', error: undefined, cause: undefined };
  let endKind: PumpEnd | undefined;
  let resolveDone: (o: PumpOutcome) => void = () => {};
  const done = new Promise<PumpOutcome>((resolve) => (resolveDone = resolve));

  const deadline = createActivityDeadline();
  const touch = deadline.touch;
  const flow = createPumpFlow(socket, ws, {
    highWaterMarkBytes: options.highWaterMarkBytes ?? 1 << 20,
    onHop: options.onHop,
    nowNs: options.nowNs ?? hrtime.bigint,
    touch,
    isTcpClosed: () => state.tcpClosed,
    isWsClosed: () => state.wsClosed,
  });
  const fail = (kind: TunnelErrorKind, cause: unknown): void => {
    if (outcome.error === undefined) {
      outcome.error = kind;
      outcome.cause = cause;
    }
  };
  const setEnd = (kind: PumpEnd): void => {
    endKind ??= kind;
  };

  const onIdle = (): void => {
    setEnd('idle');
    fail('idle-timeout', undefined);
    closeWs(CLOSE_IDLE, 'idle');
    socket.end();
  };
  // Teardown made no progress for closeTimeoutMs: force both sides.
  const onTeardownStuck = (): void => {
    state.wsClosed = true;
    // Not terminate() alone: ws 1.1.5's ends the socket and keeps it up to 30 s, and cannot stop a handshake.
    discardWebSocket(ws);
    if (!state.tcpClosed) socket.destroy();
    maybeFinish();
  };

  const startTeardown = (): void => {
    if (state.tearingDown) return;
    state.tearingDown = true;
    deadline.set(closeTimeoutMs, onTeardownStuck);
  };

  // While the WebSocket is still connecting, the close is sent as soon as it opens, so the far side
  // learns why (e.g. 4002 target unreachable); the teardown deadline terminates it if it never opens.
  let pendingClose: { code: number; reason: string } | undefined;
  const closeWs = (code: number, reason: string): void => {
    startTeardown();
    if (state.wsClosed) return;
    if (!state.wasOpened) pendingClose ??= { code, reason };
    else if (ws.readyState === WS_OPEN) ws.close(isSendableCloseCode(code) ? code : CLOSE_GOING_AWAY, closeReason(reason));
  };

  const resetTcp = (): void => {
    if (!socket.destroyed) socket.resetAndDestroy();
  };

  const maybeFinish = (): void => {
    if (state.finished || !state.tcpClosed || !state.wsClosed) return;
    state.finished = true;
    deadline.clear();
    outcome.end = endKind ?? 'fin-remote';
    resolveDone(outcome);
  };

  // Both directions have seen their FIN: the WebSocket has nothing left to carry.
  const closeIfBothFinished = (): void => {
    if (state.sentFin && state.receivedFin) closeWs(CLOSE_FIN, 'fin');
  };

  const onWsMessage = (data: unknown): void => {
    const t0 = flow.hopStartNs();
    const chunk = messageToBuffer(data);
    if (chunk.length === 0) {
      // FIN marker (close-codes.ts): the far side's peer ended its direction.
      touch();
      if (!isHalfCloseOn) return;
      setEnd('fin-remote');
      state.receivedFin = true;
      if (!state.tcpClosed) socket.end();
      return closeIfBothFinished();
    }
    flow.fromRelay(chunk, t0);
  };

  const onTcpDrain = (): void => {
    touch();
    flow.resumeRelay();
  };

  let setupHold = options.setupHold;
  const onWsOpen = (): void => {
    // A connecting ws 1.1.5 socket given up by the teardown deadline opens later only to be discarded.
    if (state.wsClosed) return;
    state.wasOpened = true;
    touch();
    flow.startHopTiming();
    const early = setupHold?.release() ?? [];
    if (pendingClose !== undefined) {
      // The client ended (FIN) during setup: what it sent still goes first. After a reset it does not.
      if (pendingClose.code === CLOSE_FIN) for (const chunk of early) flow.fromTcp(chunk);
      return closeWs(pendingClose.code, pendingClose.reason);
    }
    socket.on('data', flow.fromTcp);
    for (const chunk of early) flow.fromTcp(chunk);
    // A FIN read during setup: its marker follows the held bytes.
    if (state.sentFin && isHalfCloseOn) ws.send(Buffer.alloc(0), { binary: true }, () => {});
    if (!flow.isTcpPaused() && !state.tcpClosed) socket.resume();
    deadline.set(idleTimeoutMs, onIdle);
  };

  const onTcpEnd = (): void => {
    // Local peer sent FIN: pass it on as an empty message, keep carrying the other direction.
    setEnd('fin-local');
    state.sentFin = true;
    touch();
    if (state.wsClosed) return void socket.end();
    // Without the marker convention a FIN can only end the whole WebSocket (close 1000).
    if (!isHalfCloseOn) return closeWs(CLOSE_FIN, 'fin');
    // Before the WebSocket opened, onWsOpen sends the marker after the bytes held until then.
    if (state.wasOpened && ws.readyState === WS_OPEN) ws.send(Buffer.alloc(0), { binary: true }, () => {});
    closeIfBothFinished();
  };

  const onTcpError = (error: unknown): void => {
    if (!state.tearingDown) fail('reset-local', error);
  };

  const onTcpClose = (hadError: boolean): void => {
    state.tcpClosed = true;
    // No 'drain' will come any more: read on so the relay's close frame and FIN are seen (a paused
    // ws 1.1.5 socket sat in CLOSE-WAIT until its 30 s close timer).
    flow.resumeRelay();
    if (!state.wsClosed) {
      if (!hadError && state.sentFin) {
        closeWs(CLOSE_FIN, 'fin');
      } else {
        if (!state.tearingDown) {
          setEnd('reset-local');
          fail('reset-local', undefined);
        }
        closeWs(CLOSE_RESET, 'reset');
      }
      if (ws.readyState === WS_CONNECTING) options.abortHandshake?.();
    }
    maybeFinish();
  };

  const onWsClose = (code: number, reason: unknown): void => {
    if (state.wsClosed) return;
    state.wsClosed = true;
    outcome.closeCode = code;
    outcome.closeReason = reason === undefined ? '' : String(reason);
    touch();
    if (!state.tcpClosed) {
      if (endKind === 'aborted' || endKind === 'reset-local' || endKind === 'relay-error') {
        socket.destroy();
      } else if (endKind === 'idle' || tcpActionForClose(code) === 'fin') {
        setEnd('fin-remote');
        socket.end();
      } else {
        setEnd('reset-remote');
        fail(code === CLOSE_TARGET_UNREACHABLE ? 'target-unreachable' : code === CLOSE_CONNECTION_LIMIT ? 'connection-limit' : 'reset-remote', undefined);
        resetTcp();
      }
    }
    startTeardown();
    maybeFinish();
  };

  const onWsError = (error: unknown): void => {
    // Errors caused by our own teardown (e.g. terminate() during the handshake) are not failures.
    if (!state.tearingDown) fail(state.wasOpened ? 'relay-closed' : classifyRelayError(error), error);
    if (!state.wasOpened && !state.wsClosed) {
      // Handshake failed. ws 1.1.5 sometimes drops all listeners without 'close': end here.
      setEnd('relay-error');
      state.wsClosed = true;
      resetTcp();
      startTeardown();
      maybeFinish();
    }
  };

  if (setupHold === undefined) socket.pause();
  socket.on('end', onTcpEnd);
  socket.on('error', onTcpError);
  socket.on('close', onTcpClose);
  socket.on('drain', onTcpDrain);
  ws.on('message', onWsMessage);
  ws.on('close', onWsClose);
  ws.on('error', onWsError);
  if (ws.readyState === WS_CONNECTING) {
    ws.on('open', onWsOpen);
    setupHold ??= holdDuringSetup(socket);
  }
  // The FIN was read before the pump started (while the connection waited for a setup slot).
  if (options.setupHold?.ended === true) onTcpEnd();
  if (ws.readyState === WS_OPEN) onWsOpen();
  else if (ws.readyState !== WS_CONNECTING) {
    setupHold?.release();
    onWsClose(1006, '');
  }
  // A socket that died before the pump started never emits 'close' again.
  if (state.tcpClosed) onTcpClose(true);

  return {
    counters: flow.counters,
    done,
    isTcpPaused: flow.isTcpPaused,
    isRelayPaused: flow.isRelayPaused,
    abort(code = CLOSE_GOING_AWAY, reason = 'going away') {
      if (state.finished) return;
      setEnd('aborted');
      closeWs(code, reason);
      resetTcp();
    },
  };
}

