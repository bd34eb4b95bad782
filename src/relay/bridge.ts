// Relays data messages between a sender's and a listener's rendezvous WebSockets: keeps opcode,
// boundaries and order, forwards close codes (half-close as Azure does: a Close is forwarded at
// once, the peer's data keeps flowing back until the peer closes too), applies backpressure and
// the legs' shapers. Knows nothing of auth or routing.

import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { createDelayLine, createDueTimes, type LinkShape } from '../net/delay-line.js';
import type { LatenessRecorder } from '../net/lateness.js';
import { sharedNowUs } from '../net/shared-clock.js';
import { createHandOffFloor, type HandOffFloor } from '../net/hand-off-floor.js';
import { createHopProber, createQueueTracker, readDue, stampDue } from '../net/timed-socket.js';
import { isProbeDue } from '../net/hand-off-probe.js';
import type { Shaper } from './delay.js';
import type { DirectionStats } from './stats.js';

/** Bytes in flight towards one peer (shaper queues + socket buffer) above which the other peer is paused; resumed below half. */
export const bridgeHighWaterBytes = 4 * 1024 * 1024;

export interface BridgeHooks {
  senderToListener: DirectionStats;
  listenerToSender: DirectionStats;
  /** Shapers a sender→listener message passes, in order (sender leg up, listener leg down). Default none. */
  senderToListenerShapers?: Shaper[];
  /** Shapers a listener→sender message passes, in order (listener leg up, sender leg down). Default none. */
  listenerToSenderShapers?: Shaper[];
  /**
   * Timed legs (net/timed-socket.ts): both peers stamp each message with its due time and hold what
   * they receive until due. The bridge then holds each incoming message until its due time plus the
   * hop's fastest hand-off (the leg it came over ends here) and stamps it for the leg it enters.
   * Replaces the shapers.
   */
  timed?: { senderLeg: LinkShape; listenerLeg: LinkShape; lateness?: LatenessRecorder; floors?: { fromSender: HandOffFloor; fromListener: HandOffFloor } };
  /** Called once, when both sockets are closed. */
  onEnd: () => void;
}

/** A running bridge. */
export interface Bridge {
  /** Closes both sides at once with `code` (e.g. 1011 for a fault, 1001 for shutdown). */
  cut(code: number, reason?: string): void;
}

/** Close codes that may be sent on the wire (RFC 6455 §7.4; ws rejects the others). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}

/** The timed counterpart of the shaper chain for one direction: hold until due, re-stamp for the next leg. */
interface TimedDirection {
  outgoing: LinkShape;
  lateness: LatenessRecorder | undefined;
  /** The hand-off floor of the hop into the relay, shared by the relay's bridges (default: this pipe's own). */
  floor: HandOffFloor | undefined;
}

/** Passes `deliver` through each shaper in turn; order is kept because every shaper is FIFO. */
function throughShapers(shapers: readonly Shaper[], bytes: number, deliver: () => void, index = 0): void {
  const shaper = shapers[index];
  if (shaper === undefined) deliver();
  else shaper.submit(bytes, () => throughShapers(shapers, bytes, deliver, index + 1));
}

/** Closes `to` the way `from` was closed: same code and reason; abnormal loss becomes 1001. */
function forwardClose(to: WebSocket, code: number, reason: Buffer): void {
  if (to.readyState === to.CLOSED || to.readyState === to.CLOSING) return;
  if (code === 1005) to.close();
  else if (isSendableCloseCode(code)) to.close(code, reason.subarray(0, 123));
  else to.close(1001, 'peer went away');
}

/** The ws 8.23 internals `deferCloseReply` relies on (ws is pinned; checked at run time). */
interface WsInternals {
  _receiver?: EventEmitter;
  _socket?: Socket;
  _closeFrameReceived?: boolean;
  _closeCode?: number;
  _closeMessage?: Buffer;
}

/**
 * Half-close: ws 8 answers a received Close frame at once (its receiver's 'conclude' handler
 * calls close()), after which nothing can be sent to that peer. Azure instead forwards the Close
 * and keeps delivering the other peer's data until that peer closes too. This replaces the
 * handler: while `ws` is open, a Close is recorded as received (so our own later close() ends the
 * handshake and the socket) and handed to `onPeerClose`, and `ws` stays writable. Once we have
 * closed first, ws's own handler completes as usual. Returns false (leaving ws's immediate reply)
 * when the internals are not the expected ones.
 */
function deferCloseReply(ws: WebSocket, onPeerClose: (code: number, reason: Buffer) => void): boolean {
  const internals = ws as unknown as WsInternals;
  const receiver = internals._receiver;
  const socket = internals._socket;
  if (receiver === undefined || socket === undefined) return false;
  const concludes = receiver.listeners('conclude') as ((code: number, reason: Buffer) => void)[];
  const onData = socket.listeners('data').find((listener) => listener.name === 'socketOnData') as ((chunk: Buffer) => void) | undefined;
  const original = concludes[0];
  if (concludes.length !== 1 || original === undefined || onData === undefined) return false;
  receiver.removeListener('conclude', original);
  receiver.on('conclude', (code: number, reason: Buffer) => {
    if (ws.readyState !== ws.OPEN) {
      original.call(receiver, code, reason);
      return;
    }
    const copy = Buffer.from(reason);
    internals._closeFrameReceived = true;
    internals._closeCode = code;
    internals._closeMessage = copy;
    // The receiver has ended: stop feeding it, keep reading so the peer's FIN is seen.
    socket.removeListener('data', onData);
    process.nextTick(() => socket.resume());
    onPeerClose(code, copy);
  });
  return true;
}

/**
 * Backpressure of one direction: `from` is paused while more than bridgeHighWaterBytes are in
 * flight (received, not yet sent on), and resumed below half of it.
 */
class InFlightGate {
  private inFlightBytes = 0;
  private isPaused = false;

  constructor(protected readonly from: WebSocket) {}

  add(bytes: number): void {
    this.inFlightBytes += bytes;
    if (!this.isPaused && this.inFlightBytes > bridgeHighWaterBytes) {
      this.isPaused = true;
      this.from.pause();
    }
  }

  settle(bytes: number): void {
    this.inFlightBytes -= bytes;
    if (this.isPaused && this.inFlightBytes <= bridgeHighWaterBytes / 2) {
      this.isPaused = false;
      this.from.resume();
    }
  }
}

/** No-op 'error' listener: errors end in 'close', where they are handled. */
const ignoreError = (): void => {};

/**
 * Forwards `from`'s messages and close to `to`, counting them, through its in-flight gate. One
 * object per direction with bound listeners, not closures: a relay holds two per bridged
 * connection for the connection's life (docs/memory.md).
 */
class Pipe extends InFlightGate {
  constructor(
    from: WebSocket,
    private readonly to: WebSocket,
    private readonly counters: DirectionStats,
    private readonly shapers: readonly Shaper[],
    private readonly onClosed: () => void,
  ) {
    super(from);
    from.on('message', this.onMessage.bind(this));
    // A Close from `from` is forwarded when it arrives; `from` keeps receiving `to`'s data until `to` closes.
    deferCloseReply(from, this.sendClose.bind(this));
    from.on('close', this.onClose.bind(this));
  }

  clear(): void {
    for (const shaper of this.shapers) shaper.clear();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = byteLength(data);
    this.counters.messages += 1;
    this.counters.bytes += bytes;
    // The hot path: with no legs shaped, forward in the same tick without the shaper chain.
    if (this.shapers.length === 0) this.forward(data, isBinary, bytes);
    else throughShapers(this.shapers, bytes, () => this.forward(data, isBinary, bytes));
    this.add(bytes);
  }

  private forward(data: RawData, isBinary: boolean, bytes: number): void {
    if (this.to.readyState !== this.to.OPEN) return this.settle(bytes);
    this.to.send(data, { binary: isBinary }, () => this.settle(bytes));
  }

  private onClose(code: number, reason: Buffer): void {
    this.onClosed();
    this.sendClose(code, reason);
  }

  /** The close travels the same legs as the data, so it never overtakes delayed messages. */
  private sendClose(code: number, reason: Buffer): void {
    throughShapers(this.shapers, 0, () => forwardClose(this.to, code, reason));
  }
}

/** Forwards one direction: plain (a {@link Pipe}) or on timed legs. */
function pipe(
  from: WebSocket,
  to: WebSocket,
  counters: DirectionStats,
  shapers: readonly Shaper[],
  onClosed: () => void,
  timed?: TimedDirection,
): { clear: () => void } {
  if (timed !== undefined) return pipeTimed(from, to, counters, timed, onClosed);
  return new Pipe(from, to, counters, shapers, onClosed);
}

/** {@link pipe} on timed legs: counters count payload bytes (without the due-time prefix). */
function pipeTimed(from: WebSocket, to: WebSocket, counters: DirectionStats, timed: TimedDirection, onClosed: () => void): { clear: () => void } {
  const gate = new InFlightGate(from);
  let lastDueUs = 0;
  const dueTimes = createDueTimes(timed.outgoing);
  const floor = timed.floor ?? createHandOffFloor();
  const queue = createQueueTracker();
  // Probes with `from` (answered and learnt here, never forwarded) teach this direction's hot hand-off.
  const prober = createHopProber((message) => {
    if (from.readyState !== from.OPEN) return false;
    from.send(message, { binary: true });
    return true;
  }, floor);
  const lateness = timed.lateness;
  // No linger after a release: the relay is mid-path, so nothing it releases comes back before
  // another held leg, and on 2 vCPUs a lingering relay was a third busy process while the
  // forwarder spun out the last leg and the generator waited hot for the reply.
  const hold = createDelayLine<() => void>({ keepHot: true, linger: false, ...(lateness === undefined ? {} : { onLateness: (us: number) => lateness.record(us) }) }, (release) => release());
  from.on('message', (data: RawData, isBinary: boolean) => {
    const { dueUs, sentUs, payload } = readDue(toBuffer(data));
    const arrivedUs = sharedNowUs();
    if (isProbeDue(dueUs)) {
      prober.onProbe(dueUs, sentUs, arrivedUs);
      return;
    }
    // Time queued before it left (beyond a wake-up) delays it as a real link would (net/timed-socket.ts).
    const releaseUs = floor.releaseAt(dueUs + queue.queuedUs(sentUs, arrivedUs), sentUs, arrivedUs);
    const bytes = payload.length;
    counters.messages += 1;
    counters.bytes += bytes;
    lastDueUs = Math.max(lastDueUs, releaseUs);
    hold.pushDue(
      () => {
        if (to.readyState !== to.OPEN) return gate.settle(bytes);
        // The next leg starts when this hop was meant to release the message: its own lateness is absorbed downstream.
        to.send(stampDue(dueTimes.next(bytes, Math.min(releaseUs, sharedNowUs())), payload), { binary: isBinary }, () => gate.settle(bytes));
      },
      bytes,
      releaseUs,
    );
    gate.add(bytes);
    prober.onData(); // a new run while the floor has none accepted (net/hand-off-floor.ts)
  });
  from.on('close', (code: number, reason: Buffer) => {
    onClosed();
    // The close was sent after every message before it: it is released behind them, and never
    // counted late for the time it took to come (it carries no due time; due at its arrival when
    // nothing is held, else with the last message held).
    hold.pushDue(() => forwardClose(to, code, reason), 0, Math.max(lastDueUs, sharedNowUs()));
  });
  prober.start();
  return { clear: () => hold.clear() };
}

/** Starts relaying between two open sockets. Both get an 'error' handler; errors end in 'close'. */
export function startBridge(sender: WebSocket, listener: WebSocket, hooks: BridgeHooks): Bridge {
  let openSides = 2;
  const sideClosed = (): void => {
    openSides -= 1;
    if (openSides > 0) return;
    for (const direction of directions) direction.clear();
    hooks.onEnd();
  };
  sender.on('error', ignoreError);
  listener.on('error', ignoreError);
  const timed = hooks.timed;
  const directions = [
    pipe(sender, listener, hooks.senderToListener, hooks.senderToListenerShapers ?? [], sideClosed, timed && { outgoing: timed.listenerLeg, lateness: timed.lateness, floor: timed.floors?.fromSender }),
    pipe(listener, sender, hooks.listenerToSender, hooks.listenerToSenderShapers ?? [], sideClosed, timed && { outgoing: timed.senderLeg, lateness: timed.lateness, floor: timed.floors?.fromListener }),
  ];
  return {
    cut(code, reason = '') {
      for (const socket of [sender, listener]) {
        if (socket.readyState === socket.OPEN) socket.close(code, reason);
      }
    },
  };
}
