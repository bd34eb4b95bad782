// What a relay front end does before any request reaches the emulator's routes: bound the time a
// client may take to send its request headers, drop idle HTTP connections, and cap connections per
// client address (all of them, and those still sending their headers: slowloris). Node's defaults
// (60 s headers timeout checked every 30 s, no caps) held half-sent requests ~80 s.

import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

/** Front-end limits of the relay port; every field has a default. */
export interface FrontEndLimits {
  /** A request's headers must be complete this many ms after the connection (or the previous request). Default 10000. */
  headersTimeoutMs?: number;
  /** HTTP connections (not upgraded WebSockets) idle this long are closed. Default: HTTP response timeout + 5000. */
  idleTimeoutMs?: number;
  /** Connections from one address that have not completed their first request's headers; more are closed at once. Default 256. */
  maxHandshakingPerAddress?: number;
  /** Open connections from one address, any state. Default 12000 (two sockets per relayed connection at the 5000 quota, plus listeners). */
  maxConnectionsPerAddress?: number;
}

/** Defaults of {@link FrontEndLimits} (idle excluded: it follows the HTTP response timeout). */
export const frontEndDefaults = { headersTimeoutMs: 10_000, maxHandshakingPerAddress: 256, maxConnectionsPerAddress: 12_000 } as const;

/** http.createServer options that make Node enforce the headers timeout promptly. */
export function frontEndServerOptions(limits: FrontEndLimits): ServerOptions {
  const headersTimeout = limits.headersTimeoutMs ?? frontEndDefaults.headersTimeoutMs;
  // Node checks the timeouts on this interval; a tenth of the timeout keeps the overshoot small.
  return { headersTimeout, requestTimeout: 0, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 10))) };
}

/**
 * Applies the idle timeout and the per-address caps to `server`. `onRefused` is called for every
 * connection closed by a cap (for the relay's reject counters); closed connections get no response.
 */
export function applyFrontEndLimits(server: Server, limits: FrontEndLimits, httpResponseTimeoutMs: number, onRefused: (reason: 'address-cap') => void): void {
  const maxHandshaking = limits.maxHandshakingPerAddress ?? frontEndDefaults.maxHandshakingPerAddress;
  const maxConnections = limits.maxConnectionsPerAddress ?? frontEndDefaults.maxConnectionsPerAddress;
  // Upgraded sockets drop Node's timeout listener and ws sets setTimeout(0), so this bounds HTTP only.
  server.setTimeout(limits.idleTimeoutMs ?? httpResponseTimeoutMs + 5000);
  const open = new Map<string, number>();
  const handshaking = new Map<string, number>();
  const pending = new WeakSet<Socket>();
  const change = (map: Map<string, number>, address: string, delta: number): void => {
    const next = (map.get(address) ?? 0) + delta;
    if (next <= 0) map.delete(address);
    else map.set(address, next);
  };
  const headersDone = (requestSocket: Socket): void => {
    // With TLS the request's socket wraps the raw TCP socket 'connection' saw.
    const socket = pending.has(requestSocket) ? requestSocket : (requestSocket as { _parent?: Socket })._parent;
    if (socket === undefined || !pending.has(socket)) return;
    pending.delete(socket);
    change(handshaking, socket.remoteAddress ?? '', -1);
  };
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if ((open.get(address) ?? 0) >= maxConnections || (handshaking.get(address) ?? 0) >= maxHandshaking) {
      onRefused('address-cap');
      socket.destroy();
      return;
    }
    change(open, address, 1);
    change(handshaking, address, 1);
    pending.add(socket);
    socket.once('close', () => {
      headersDone(socket);
      change(open, address, -1);
    });
  });
  server.prependListener('request', (request) => headersDone(request.socket));
  server.prependListener('upgrade', (request) => headersDone(request.socket));
}

/**
 * The relay port's `clientError` handler: a request whose headers timed out gets `408 Request
 * Timeout` (as a front end answers), anything else unparseable is dropped without a reply.
 */
export function answerClientError(error: unknown, socket: { writable: boolean; end(text: string): unknown; destroy(): unknown }): void {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.writable) {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  socket.destroy();
}
