// Refuses a WebSocket handshake with an HTTP status and a reason text, written on the raw upgrade
// socket, plus the service's reason format. Must not touch sockets that were already upgraded.

import type { Duplex } from 'node:stream';

/** A refusal as the Relay service words it. */
export interface HandshakeRefusal {
  status: number;
  /** Service text, e.g. `There are no listeners connected for the endpoint.` (no tracking suffix). */
  message: string;
}

/** `<message> TrackingId:<id>, SystemTracker:<tracker>, Timestamp:<iso>`, the service's error text format. */
export function serviceReason(message: string, trackingId: string, systemTracker: string, now: Date): string {
  return `${message} TrackingId:${trackingId}, SystemTracker:${systemTracker}, Timestamp:${now.toISOString()}`;
}

/** Reason phrases may only hold visible ASCII and spaces; keep them one line and short. */
function sanitizeReason(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 512);
}

/**
 * Writes `HTTP/1.1 <status> <reason>` with the reason also as a plain-text body, then ends the
 * socket. Safe to call on a destroyed socket.
 */
export function refuseHandshake(socket: Duplex, status: number, reasonText: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const reason = sanitizeReason(reasonText);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
  // Do not wait for a slow or hostile peer to read the refusal.
  setTimeout(() => socket.destroy(), 1000).unref();
}
