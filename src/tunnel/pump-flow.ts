// The pump's data path: bytes each way between a TCP socket and a relayed WebSocket, with
// backpressure (TCP reads pause while too much sent to the WebSocket is unwritten; WebSocket reads
// pause while TCP refuses more) and the per-message hop timing. The connection's lifecycle (open,
// FIN markers, close mapping, teardown) is pump.ts's, a subclass; this file never closes anything.
// A class, not closures: a relayed connection holds one pump in the forwarder and one in the agent
// for its whole life, and per-connection closures and their contexts were ~2 KB of each (docs/memory.md).

import type { Socket } from 'node:net';
import { type MessageSocket, observeTransportWrites, resumeTransport } from '../net/message-socket.js';
import { ActivityDeadline } from './activity-deadline.js';
import type { PumpCounters, PumpOptions } from './pump-types.js';

/** The binary-message option of every send (a fresh object each time: ws 1.1.5 writes into it). */
const binary = (): { binary: boolean } => ({ binary: true });

/** The data path and the state it shares with the lifecycle around it. */
export abstract class PumpFlow {
  readonly counters: PumpCounters = {
    bytesToRelay: 0,
    bytesFromRelay: 0,
    messagesToRelay: 0,
    messagesFromRelay: 0,
    tcpReadPauses: 0,
    relayReadPauses: 0,
  };
  /** Activity (idle and teardown deadlines): touched on every byte moved. */
  protected readonly deadline = new ActivityDeadline();
  protected tcpClosed: boolean;
  protected wsClosed = false;
  /** `fromTcp` bound once: the TCP socket's 'data' listener. */
  protected readonly onTcpData: (chunk: Buffer) => void;
  private readonly highWaterMarkBytes: number;
  private readonly onHop: PumpOptions['onHop'];
  private readonly nowNs: () => bigint;
  private unflushedBytes = 0;
  private tcpPaused = false;
  private relayPaused = false;
  /** Start of the first write to the WebSocket's TCP socket during the current `ws.send` (hop timing). */
  private handedOnNs: bigint | undefined = undefined;

  constructor(
    protected readonly socket: Socket,
    protected readonly ws: MessageSocket,
    options: { highWaterMarkBytes: number; onHop: PumpOptions['onHop']; nowNs: () => bigint },
  ) {
    this.tcpClosed = socket.destroyed;
    this.highWaterMarkBytes = options.highWaterMarkBytes;
    this.onHop = options.onHop;
    this.nowNs = options.nowNs;
    this.onTcpData = this.fromTcp.bind(this);
  }

  /** TCP → WebSocket: one chunk read from TCP. */
  protected fromTcp(chunk: Buffer): void {
    // After the WebSocket closed there is nowhere to send bytes; reading on only drains the socket.
    if (this.wsClosed) return;
    const { onHop, counters } = this;
    const t0 = onHop === undefined ? 0n : this.nowNs();
    this.handedOnNs = undefined;
    const length = chunk.length;
    counters.bytesToRelay += length;
    counters.messagesToRelay += 1;
    this.unflushedBytes += length;
    this.deadline.touch();
    this.ws.send(chunk, binary(), () => this.onSent(length));
    if (onHop !== undefined) onHop('toRelay', (this.handedOnNs ?? this.nowNs()) - t0);
    if (this.unflushedBytes > this.highWaterMarkBytes && !this.tcpPaused) {
      this.tcpPaused = true;
      counters.tcpReadPauses += 1;
      this.socket.pause();
    }
  }

  /** One message of `length` bytes written to the WebSocket's socket: resume TCP below the low-water mark. */
  private onSent(length: number): void {
    this.unflushedBytes -= length;
    this.deadline.touch();
    if (this.tcpPaused && this.unflushedBytes <= this.highWaterMarkBytes >> 1 && !this.tcpClosed) {
      this.tcpPaused = false;
      this.socket.resume();
    }
  }

  /** Start of a message's hop (0n without hop timing): call on arrival, before decoding it. */
  protected hopStartNs(): bigint {
    return this.onHop === undefined ? 0n : this.nowNs();
  }

  /** WebSocket → TCP: one non-empty message that arrived at `t0` (from {@link hopStartNs}). */
  protected fromRelay(chunk: Buffer, t0: bigint): void {
    const { counters, socket } = this;
    counters.bytesFromRelay += chunk.length;
    counters.messagesFromRelay += 1;
    this.deadline.touch();
    // A destroyed socket's write() returns false: pausing the relay read for it would never end.
    if (this.tcpClosed || socket.destroyed || socket.writableEnded) return;
    if (this.onHop !== undefined) this.onHop('fromRelay', this.nowNs() - t0);
    const isAccepted = socket.write(chunk);
    if (!isAccepted && !this.relayPaused) {
      this.relayPaused = true;
      counters.relayReadPauses += 1;
      try {
        this.ws.pause();
      } catch {
        // ws 1.1.5 throws unless OPEN; a closing socket delivers little more anyway.
      }
    }
  }

  /** Reads the WebSocket again if it was paused (TCP drained or closed). */
  protected resumeRelay(): void {
    if (!this.relayPaused) return;
    this.relayPaused = false;
    try {
      this.ws.resume();
    } catch {
      // ws 1.1.5 refuses unless OPEN, yet a CLOSING socket must still read the peer's close and FIN.
      resumeTransport(this.ws);
    }
  }

  /** Once the WebSocket is open: hops end at the first write to its socket. */
  protected startHopTiming(): void {
    if (this.onHop !== undefined) observeTransportWrites(this.ws, () => (this.handedOnNs ??= this.nowNs()));
  }

  /** True while TCP reading is paused for WebSocket backpressure. */
  isTcpPaused(): boolean {
    return this.tcpPaused;
  }

  /** True while the WebSocket is paused for TCP backpressure. */
  isRelayPaused(): boolean {
    return this.relayPaused;
  }
}
