// Built-in TCP request/response target (the system under test for tcp-request-response).
// It answers each request with the number of bytes the request asks for; it never measures.
// Wire protocol (see protocol/request-response.ts): each request = 8-byte header
// [uint32 BE total request length incl. header][uint32 BE response length] + padding up to the
// total length. The server reads exactly that many bytes (partial reads and several requests in
// one chunk are handled), then writes exactly `response length` bytes (zeros). Sockets use
// noDelay. A malformed header destroys that connection only. Streams (protocol/request-response.ts):
// an unbounded request is discarded until the client's FIN; an unbounded response streams zeros,
// with backpressure, until the client's FIN.

import net from 'node:net';
import { once } from 'node:events';
import { RequestParser, UNBOUNDED_BYTES } from '../protocol/request-response.js';
import { createDelayedResponses } from './delayed-responses.js';

/** Where to listen. Defaults: host '127.0.0.1', port 0 (an ephemeral port, read back from `address`). */
export interface RequestResponseTargetOptions {
  host?: string;
  port?: number;
  /**
   * Injected service time per request, MICROSECONDS (a known capacity ceiling for `hcbench capacity`).
   * Requests queue in one FIFO served by `concurrency` workers; each request holds a worker for
   * exactly this long (scheduled on absolute deadlines, so timer lateness does not lower the rate).
   * Ceiling: concurrency × 1e6 / serviceTimeUs requests per second. Optional; default 0 = answer at once.
   */
  serviceTimeUs?: number;
  /** Workers serving the queue when `serviceTimeUs` > 0. Optional; default 1; >= 1. */
  concurrency?: number;
}

/** Counters since start. Byte counts are raw TCP payload bytes. */
export interface RequestResponseTargetStats {
  connectionsAccepted: number;
  connectionsActive: number;
  /** Complete requests answered. */
  requests: number;
  bytesReceived: number;
  /** Response bytes answered: handed to the socket, or held by a stall to be written when it ends. */
  bytesSent: number;
  /** Connections closed because of a malformed request header. */
  protocolErrors: number;
}

export interface RequestResponseTarget {
  address: { host: string; port: number };
  stats(): RequestResponseTargetStats;
  /**
   * Injected stall: for `durationMs` the target answers nothing; responses due meanwhile are held
   * (in order) and written when the stall ends. Requests are still read and counted.
   */
  stall(durationMs: number): void;
  /** Destroys open connections and resolves once the listening port is released. */
  close(): Promise<void>;
}

// One shared zero buffer; responses are written as slices of it (no per-response allocation).
const ZERO_CHUNK_BYTES = 64 * 1024;
const zeroChunk = Buffer.alloc(ZERO_CHUNK_BYTES);

/** Starts the target and resolves once it is listening. */
export async function startRequestResponseTarget(
  options: RequestResponseTargetOptions = {},
): Promise<RequestResponseTarget> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  const stats: RequestResponseTargetStats = {
    connectionsAccepted: 0,
    connectionsActive: 0,
    requests: 0,
    bytesReceived: 0,
    bytesSent: 0,
    protocolErrors: 0,
  };

  // Responses held during a stall, per socket, in arrival order.
  const held = new Map<net.Socket, number[]>();
  let stallTimer: NodeJS.Timeout | undefined;
  const flushHeld = (): void => {
    stallTimer = undefined;
    for (const [socket, responses] of held) {
      for (const responseBytes of responses) if (!socket.destroyed) writeZeros(socket, responseBytes);
    }
    held.clear();
  };

  const respond = (socket: net.Socket, responseBytes: number): void => {
    if (socket.destroyed) return;
    if (stallTimer === undefined) writeZeros(socket, responseBytes);
    else held.set(socket, (held.get(socket) ?? []).concat(responseBytes));
  };
  const serve = createServiceQueue(options.serviceTimeUs ?? 0, options.concurrency ?? 1, respond);
  // Timed requests (replay) carry their own server time and bypass the service queue.
  const delayed = createDelayedResponses(respond);

  const server = net.createServer({ noDelay: true }, (socket) => {
    stats.connectionsAccepted += 1;
    stats.connectionsActive += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    const parser = new RequestParser();
    socket.on('data', (chunk: Buffer) => {
      stats.bytesReceived += chunk.length;
      const parsed = parser.push(chunk);
      if (!parsed.ok) {
        stats.protocolErrors += 1;
        socket.destroy();
        return;
      }
      for (const [i, responseBytes] of parsed.responses.entries()) {
        stats.requests += 1;
        const delayUs = parsed.delaysUs?.[i];
        if (delayUs !== undefined && delayUs > 0) {
          stats.bytesSent += responseBytes;
          delayed.add(socket, responseBytes, delayUs);
          continue;
        }
        if (responseBytes === UNBOUNDED_BYTES) {
          streamZeros(socket, (n) => (stats.bytesSent += n));
          continue;
        }
        stats.bytesSent += responseBytes;
        serve(socket, responseBytes);
      }
    });
    // Peers reset or vanish all the time under load; that is not the target's problem.
    socket.on('error', () => undefined);
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      stats.connectionsActive -= 1;
      sockets.delete(socket);
      held.delete(socket);
      delayed.drop(socket);
    });
  });
  server.listen({ host, port: options.port ?? 0 });
  await once(server, 'listening');
  const bound = server.address() as net.AddressInfo;

  return {
    address: { host, port: bound.port },
    stats: () => ({ ...stats }),
    stall: (durationMs) => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(flushHeld, durationMs);
    },
    close: async () => {
      clearTimeout(stallTimer);
      serve.cancel();
      delayed.cancel();
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * The service-time model: `concurrency` workers, each busy `serviceTimeUs` per request, FIFO. Every
 * request gets the earliest worker's next free instant (absolute, from performance.now()), so
 * completions keep exactly to the ceiling even when timers fire late; completion order follows
 * arrival order. With serviceTimeUs 0 requests are answered at once.
 */
function createServiceQueue(
  serviceTimeUs: number,
  concurrency: number,
  respond: (socket: net.Socket, responseBytes: number) => void,
): ((socket: net.Socket, responseBytes: number) => void) & { cancel(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const freeAtMs = Array.from({ length: Math.max(1, Math.floor(concurrency)) }, () => 0);
  const serve = (socket: net.Socket, responseBytes: number): void => {
    if (serviceTimeUs <= 0) {
      respond(socket, responseBytes);
      return;
    }
    const nowMs = performance.now();
    let worker = 0;
    for (let i = 1; i < freeAtMs.length; i++) if ((freeAtMs[i] ?? 0) < (freeAtMs[worker] ?? 0)) worker = i;
    const doneMs = Math.max(nowMs, freeAtMs[worker] ?? 0) + serviceTimeUs / 1000;
    freeAtMs[worker] = doneMs;
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond(socket, responseBytes);
    }, Math.max(0, doneMs - nowMs));
    timers.add(timer);
  };
  return Object.assign(serve, {
    cancel: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  });
}

function writeZeros(socket: net.Socket, bytes: number): void {
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, ZERO_CHUNK_BYTES);
    socket.write(n === ZERO_CHUNK_BYTES ? zeroChunk : zeroChunk.subarray(0, n));
    left -= n;
  }
}

/** Writes zeros with backpressure until the peer half-closes or the socket goes away. */
function streamZeros(socket: net.Socket, onWritten: (bytes: number) => void): void {
  let isFinished = false;
  const finish = (): void => {
    isFinished = true;
  };
  socket.once('end', finish);
  socket.once('close', finish);
  const pump = (): void => {
    // At most 1024 chunks (64 MiB) per turn, so one stream cannot starve the event loop.
    for (let i = 0; i < 1024 && !isFinished && !socket.destroyed; i++) {
      onWritten(ZERO_CHUNK_BYTES);
      if (!socket.write(zeroChunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    if (!isFinished && !socket.destroyed) setImmediate(pump);
  };
  pump();
}
