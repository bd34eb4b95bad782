// The pump's data path: bytes each way between a TCP socket and a relayed WebSocket, with
// backpressure (TCP reads pause while too much sent to the WebSocket is unwritten; WebSocket reads
// pause while TCP refuses more) and the per-message hop timing. The connection's lifecycle (open,
// FIN markers, close mapping, teardown) is pump.ts's; this file never closes anything.

import type { Socket } from 'node:net';
import { type MessageSocket, observeTransportWrites, resumeTransport } from '../net/message-socket.js';
import type { PumpCounters, PumpOptions } from './pump-types.js';

/** What the data path needs from the pump around it. */
export interface PumpFlowOptions {
  highWaterMarkBytes: number;
  onHop: PumpOptions['onHop'];
  nowNs: () => bigint;
  /** Records activity (idle and teardown deadlines). */
  touch: () => void;
  /** Whether the TCP socket / the WebSocket has closed (the lifecycle's state). */
  isTcpClosed: () => boolean;
  isWsClosed: () => boolean;
}

/** The pump's two directions of bytes; pump.ts wires them to the sockets' events. */
export interface PumpFlow {
  readonly counters: PumpCounters;
  /** TCP → WebSocket: one chunk read from TCP. */
  fromTcp(chunk: Buffer): void;
  /** Start of a message's hop (0n without hop timing): call on arrival, before decoding it. */
  hopStartNs(): bigint;
  /** WebSocket → TCP: one non-empty message that arrived at `t0` (from {@link hopStartNs}). */
  fromRelay(chunk: Buffer, t0: bigint): void;
  /** Reads the WebSocket again if it was paused (TCP drained or closed). */
  resumeRelay(): void;
  /** Once the WebSocket is open: hops end at the first write to its socket. */
  startHopTiming(): void;
  isTcpPaused(): boolean;
  isRelayPaused(): boolean;
}

export function createPumpFlow(socket: Socket, ws: MessageSocket, options: PumpFlowOptions): PumpFlow {
  const { highWaterMarkBytes, onHop, nowNs, touch, isTcpClosed, isWsClosed } = options;
  const lowWaterMarkBytes = highWaterMarkBytes >> 1;
  const counters: PumpCounters = {
    bytesToRelay: 0,
    bytesFromRelay: 0,
    messagesToRelay: 0,
    messagesFromRelay: 0,
    tcpReadPauses: 0,
    relayReadPauses: 0,
  };
  let unflushedBytes = 0;
  let isTcpPaused = false;
  let isRelayPaused = false;
  // Start of the first write to the WebSocket's TCP socket during the current `ws.send` (hop timing).
  let handedOnNs: bigint | undefined;

  const fromTcp = (chunk: Buffer): void => {
    // After the WebSocket closed there is nowhere to send bytes; reading on only drains the socket.
    if (isWsClosed()) return;
    const t0 = onHop === undefined ? 0n : nowNs();
    handedOnNs = undefined;
    const length = chunk.length;
    counters.bytesToRelay += length;
    counters.messagesToRelay += 1;
    unflushedBytes += length;
    touch();
    ws.send(chunk, { binary: true }, () => {
      unflushedBytes -= length;
      touch();
      if (isTcpPaused && unflushedBytes <= lowWaterMarkBytes && !isTcpClosed()) {
        isTcpPaused = false;
        socket.resume();
      }
    });
    if (onHop !== undefined) onHop('toRelay', (handedOnNs ?? nowNs()) - t0);
    if (unflushedBytes > highWaterMarkBytes && !isTcpPaused) {
      isTcpPaused = true;
      counters.tcpReadPauses += 1;
      socket.pause();
    }
  };

  const fromRelay = (chunk: Buffer, t0: bigint): void => {
    counters.bytesFromRelay += chunk.length;
    counters.messagesFromRelay += 1;
    touch();
    // A destroyed socket's write() returns false: pausing the relay read for it would never end.
    if (isTcpClosed() || socket.destroyed || socket.writableEnded) return;
    if (onHop !== undefined) onHop('fromRelay', nowNs() - t0);
    const isAccepted = socket.write(chunk);
    if (!isAccepted && !isRelayPaused) {
      isRelayPaused = true;
      counters.relayReadPauses += 1;
      try {
        ws.pause();
      } catch {
        // ws 1.1.5 throws unless OPEN; a closing socket delivers little more anyway.
      }
    }
  };

  const resumeRelay = (): void => {
    if (!isRelayPaused) return;
    isRelayPaused = false;
    try {
      ws.resume();
    } catch {
      // ws 1.1.5 refuses unless OPEN, yet a CLOSING socket must still read the peer's close and FIN.
      resumeTransport(ws);
    }
  };

  return {
    counters,
    fromTcp,
    hopStartNs: () => (onHop === undefined ? 0n : nowNs()),
    fromRelay,
    resumeRelay,
    startHopTiming() {
      if (onHop !== undefined) observeTransportWrites(ws, () => (handedOnNs ??= nowNs()));
    },
    isTcpPaused: () => isTcpPaused,
    isRelayPaused: () => isRelayPaused,
  };
}
