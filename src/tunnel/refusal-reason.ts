// Keeps the relay's reason text of a refused listen handshake. ws 1.1.5 (inside hyco-ws) and ws 8
// report a non-101 answer as "unexpected server response (403)" only, yet a 403 means either a key
// without the Listen right or a hybrid connection at its listener limit; the service says which in
// the status line. No sockets are opened here.

import type { IncomingMessage } from 'node:http';

/** A refused WebSocket handshake: the HTTP status and the relay's reason phrase. */
export class RelayRefusalError extends Error {
  readonly statusCode: number;
  /** The status line's reason text (e.g. `MaximumListenersPerEndpoint: ...`); empty when absent. */
  readonly reason: string;
  constructor(statusCode: number, reason: string) {
    // Same leading words as ws 1.1.5's own error, so handshakeStatus() reads the status as before.
    super(`unexpected server response (${statusCode})${reason === '' ? '' : ` ${reason}`}`);
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

/** Reads the reason phrase of a refusal, one line, at most 512 characters. */
export function refusalOf(response: IncomingMessage): RelayRefusalError {
  const reason = (response.statusMessage ?? '').replace(/[^\x20-\x7e]/g, ' ').slice(0, 512).trim();
  return new RelayRefusalError(response.statusCode ?? 0, reason);
}

/** The ws 1.1.5 client surface this module uses. */
interface Ws1Client {
  on(event: 'unexpected-response', listener: (request: { abort(): void }, response: IncomingMessage) => void): unknown;
  emit(event: 'error', error: unknown): boolean;
}

/**
 * Makes a connecting ws 1.1.5 client report a refused handshake as a {@link RelayRefusalError}.
 * Does what ws 1.1.5 does without a listener (abort the request, emit 'error'; its own cleanup
 * follows), only with the reason in the error, so hyco-ws's reconnect logic sees the same events.
 */
export function reportRefusalReason(ws: unknown): void {
  const client = ws as Ws1Client | undefined;
  if (typeof client?.on !== 'function' || typeof client.emit !== 'function') return;
  client.on('unexpected-response', (request, response) => {
    request.abort();
    client.emit('error', refusalOf(response));
  });
}
