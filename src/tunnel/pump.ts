// One bidirectional byte pump between a TCP socket and a relayed WebSocket (binary messages): its
// lifecycle — start once the WebSocket is open, half-close as FIN markers, the close mapping of
// close-codes.ts, a bounded teardown — around the data path of pump-flow.ts (bytes, backpressure,
// hop timing). It owns neither socket's creation and never logs; its caller counts and reports the outcome.
// Its listeners are its methods, bound once each (see pump-flow.ts for why a class).

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
import { type MessageSocket, WS_CONNECTING, WS_OPEN, discardWebSocket, messageToBuffer } from '../net/message-socket.js';
import { classifyRelayError } from './relay-errors.js';
import { PumpFlow } from './pump-flow.js';
import { type SetupHold, holdDuringSetup } from './setup-hold.js';
import type { Pump, PumpEnd, PumpOptions, PumpOutcome } from './pump-types.js';
import type { TunnelErrorKind } from './types.js';

export type { Pump, PumpCounters, PumpOptions } from './pump-types.js';

/** An empty binary message: the FIN marker (close-codes.ts). */
const sendFinMarker = (ws: MessageSocket): void => ws.send(Buffer.alloc(0), { binary: true }, () => {});

/**
 * Starts pumping between `socket` and `ws`. While the WebSocket is still connecting (hyco-ws hands
 * out sockets that are), TCP is read into a bounded hold (setup-hold.ts: a reset is seen at once)
 * whose bytes are sent when it opens; beyond the hold the kernel's queue buffers.
 * The socket should be created with `allowHalfOpen: true` so each direction can end on its own
 * (half-close carried as an empty-message FIN marker, close-codes.ts).
 */
export function createPump(socket: Socket, ws: MessageSocket, options: PumpOptions = {}): Pump {
  return new BytePump(socket, ws, options);
}

class BytePump extends PumpFlow implements Pump {
  readonly done: Promise<PumpOutcome>;
  private readonly closeTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly isHalfCloseOn: boolean;
  private readonly abortHandshake: (() => void) | undefined;
  private readonly outcome: PumpOutcome = { end: 'fin-remote', closeCode: undefined, closeReason: '', error: undefined, cause: undefined };
  private resolveDone: (outcome: PumpOutcome) => void = () => {};
  private endKind: PumpEnd | undefined = undefined;
  private tearingDown = false;
  private finished = false;
  private wasOpened = false;
  /** Local FIN read and passed on as an empty message. */
  private sentFin = false;
  /** Empty message (far FIN) received and our TCP socket ended. */
  private receivedFin = false;
  /** A close asked for while the WebSocket was still connecting: sent as soon as it opens. */
  private pendingClose: { code: number; reason: string } | undefined = undefined;
  private setupHold: SetupHold | undefined;

  constructor(socket: Socket, ws: MessageSocket, options: PumpOptions) {
    super(socket, ws, { highWaterMarkBytes: options.highWaterMarkBytes ?? 1 << 20, onHop: options.onHop, nowNs: options.nowNs ?? hrtime.bigint });
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.isHalfCloseOn = options.halfClose ?? true;
    this.abortHandshake = options.abortHandshake;
    this.setupHold = options.setupHold;
    this.done = new Promise<PumpOutcome>((resolve) => (this.resolveDone = resolve));

    if (this.setupHold === undefined) socket.pause();
    socket.on('end', this.onTcpEnd.bind(this));
    socket.on('error', this.onTcpError.bind(this));
    socket.on('close', this.onTcpClose.bind(this));
    socket.on('drain', this.onTcpDrain.bind(this));
    ws.on('message', this.onWsMessage.bind(this));
    ws.on('close', this.onWsClose.bind(this));
    ws.on('error', this.onWsError.bind(this));
    if (ws.readyState === WS_CONNECTING) {
      ws.on('open', this.onWsOpen.bind(this));
      this.setupHold ??= holdDuringSetup(socket);
    }
    // The FIN was read before the pump started (while the connection waited for a setup slot).
    if (options.setupHold?.ended === true) this.onTcpEnd();
    if (ws.readyState === WS_OPEN) this.onWsOpen();
    else if (ws.readyState !== WS_CONNECTING) {
      this.setupHold?.release();
      this.onWsClose(1006, '');
    }
    // A socket that died before the pump started never emits 'close' again.
    if (this.tcpClosed) this.onTcpClose(true);
  }

  abort(code = CLOSE_GOING_AWAY, reason = 'going away'): void {
    if (this.finished) return;
    this.setEnd('aborted');
    this.closeWs(code, reason);
    this.resetTcp();
  }

  private fail(kind: TunnelErrorKind, cause: unknown): void {
    if (this.outcome.error === undefined) {
      this.outcome.error = kind;
      this.outcome.cause = cause;
    }
  }

  private setEnd(kind: PumpEnd): void {
    this.endKind ??= kind;
  }

  private onIdle(): void {
    this.setEnd('idle');
    this.fail('idle-timeout', undefined);
    this.closeWs(CLOSE_IDLE, 'idle');
    this.socket.end();
  }

  /** Teardown made no progress for closeTimeoutMs: force both sides. */
  private onTeardownStuck(): void {
    this.wsClosed = true;
    // Not terminate() alone: ws 1.1.5's ends the socket and keeps it up to 30 s, and cannot stop a handshake.
    discardWebSocket(this.ws);
    if (!this.tcpClosed) this.socket.destroy();
    this.maybeFinish();
  }

  private startTeardown(): void {
    if (this.tearingDown) return;
    this.tearingDown = true;
    this.deadline.set(this.closeTimeoutMs, () => this.onTeardownStuck());
  }

  // While the WebSocket is still connecting, the close is sent as soon as it opens, so the far side
  // learns why (e.g. 4002 target unreachable); the teardown deadline terminates it if it never opens.
  private closeWs(code: number, reason: string): void {
    this.startTeardown();
    if (this.wsClosed) return;
    if (!this.wasOpened) this.pendingClose ??= { code, reason };
    else if (this.ws.readyState === WS_OPEN) this.ws.close(isSendableCloseCode(code) ? code : CLOSE_GOING_AWAY, closeReason(reason));
  }

  private resetTcp(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  private maybeFinish(): void {
    if (this.finished || !this.tcpClosed || !this.wsClosed) return;
    this.finished = true;
    this.deadline.clear();
    this.outcome.end = this.endKind ?? 'fin-remote';
    this.resolveDone(this.outcome);
  }

  /** Both directions have seen their FIN: the WebSocket has nothing left to carry. */
  private closeIfBothFinished(): void {
    if (this.sentFin && this.receivedFin) this.closeWs(CLOSE_FIN, 'fin');
  }

  private onWsMessage(data: unknown): void {
    const t0 = this.hopStartNs();
    const chunk = messageToBuffer(data);
    if (chunk.length === 0) {
      // FIN marker (close-codes.ts): the far side's peer ended its direction.
      this.deadline.touch();
      if (!this.isHalfCloseOn) return;
      this.setEnd('fin-remote');
      this.receivedFin = true;
      if (!this.tcpClosed) this.socket.end();
      return this.closeIfBothFinished();
    }
    this.fromRelay(chunk, t0);
  }

  private onTcpDrain(): void {
    this.deadline.touch();
    this.resumeRelay();
  }

  private onWsOpen(): void {
    // A connecting ws 1.1.5 socket given up by the teardown deadline opens later only to be discarded.
    if (this.wsClosed) return;
    this.wasOpened = true;
    this.deadline.touch();
    this.startHopTiming();
    const early = this.setupHold?.release() ?? [];
    this.setupHold = undefined;
    const pendingClose = this.pendingClose;
    if (pendingClose !== undefined) {
      // The client ended (FIN) during setup: what it sent still goes first. After a reset it does not.
      if (pendingClose.code === CLOSE_FIN) for (const chunk of early) this.fromTcp(chunk);
      return this.closeWs(pendingClose.code, pendingClose.reason);
    }
    this.socket.on('data', this.onTcpData);
    for (const chunk of early) this.fromTcp(chunk);
    // A FIN read during setup: its marker follows the held bytes.
    if (this.sentFin && this.isHalfCloseOn) sendFinMarker(this.ws);
    if (!this.isTcpPaused() && !this.tcpClosed) this.socket.resume();
    if (this.idleTimeoutMs > 0) this.deadline.set(this.idleTimeoutMs, () => this.onIdle());
  }

  private onTcpEnd(): void {
    // Local peer sent FIN: pass it on as an empty message, keep carrying the other direction.
    this.setEnd('fin-local');
    this.sentFin = true;
    this.deadline.touch();
    if (this.wsClosed) return void this.socket.end();
    // Without the marker convention a FIN can only end the whole WebSocket (close 1000).
    if (!this.isHalfCloseOn) return this.closeWs(CLOSE_FIN, 'fin');
    // Before the WebSocket opened, onWsOpen sends the marker after the bytes held until then.
    if (this.wasOpened && this.ws.readyState === WS_OPEN) sendFinMarker(this.ws);
    this.closeIfBothFinished();
  }

  private onTcpError(error: unknown): void {
    if (!this.tearingDown) this.fail('reset-local', error);
  }

  private onTcpClose(hadError: boolean): void {
    this.tcpClosed = true;
    // No 'drain' will come any more: read on so the relay's close frame and FIN are seen (a paused
    // ws 1.1.5 socket sat in CLOSE-WAIT until its 30 s close timer).
    this.resumeRelay();
    if (!this.wsClosed) {
      if (!hadError && this.sentFin) {
        this.closeWs(CLOSE_FIN, 'fin');
      } else {
        if (!this.tearingDown) {
          this.setEnd('reset-local');
          this.fail('reset-local', undefined);
        }
        this.closeWs(CLOSE_RESET, 'reset');
      }
      if (this.ws.readyState === WS_CONNECTING) this.abortHandshake?.();
    }
    this.maybeFinish();
  }

  private onWsClose(code: number, reason: unknown): void {
    if (this.wsClosed) return;
    this.wsClosed = true;
    this.outcome.closeCode = code;
    this.outcome.closeReason = reason === undefined ? '' : String(reason);
    this.deadline.touch();
    if (!this.tcpClosed) {
      const endKind = this.endKind;
      if (endKind === 'aborted' || endKind === 'reset-local' || endKind === 'relay-error') {
        this.socket.destroy();
      } else if (endKind === 'idle' || tcpActionForClose(code) === 'fin') {
        this.setEnd('fin-remote');
        this.socket.end();
      } else {
        this.setEnd('reset-remote');
        this.fail(code === CLOSE_TARGET_UNREACHABLE ? 'target-unreachable' : code === CLOSE_CONNECTION_LIMIT ? 'connection-limit' : 'reset-remote', undefined);
        this.resetTcp();
      }
    }
    this.startTeardown();
    this.maybeFinish();
  }

  private onWsError(error: unknown): void {
    // Errors caused by our own teardown (e.g. terminate() during the handshake) are not failures.
    if (!this.tearingDown) this.fail(this.wasOpened ? 'relay-closed' : classifyRelayError(error), error);
    if (!this.wasOpened && !this.wsClosed) {
      // Handshake failed. ws 1.1.5 sometimes drops all listeners without 'close': end here.
      this.setEnd('relay-error');
      this.wsClosed = true;
      this.resetTcp();
      this.startTeardown();
      this.maybeFinish();
    }
  }
}
