// The small WebSocket surface that the tunnel's pump and the timed legs (timed-socket.ts) use,
// shared by ws 1.1.5 (inside hyco-ws) and ws 8. No sockets are created here.

/** WebSocket readyState: handshake in progress (same value in ws 1.1.5 and ws 8). */
export const WS_CONNECTING = 0;
/** WebSocket readyState: open. */
export const WS_OPEN = 1;
/** WebSocket readyState: closed. */
export const WS_CLOSED = 3;

/**
 * What the pump uses of a WebSocket. Both ws 1.1.5 (hyco-ws) and ws 8 provide it, with these
 * differences the pump absorbs: ws 1.1.5 `pause()`/`resume()` throw unless OPEN; its 'message'
 * listener gets `(data: string | Buffer, flags)`, ws 8's gets `(data: Buffer, isBinary)`; the
 * 'close' reason is a string in ws 1.1.5 and a Buffer in ws 8; ws 1.1.5 `close()` while
 * CONNECTING only marks the socket closed (use `terminate()` to stop a handshake).
 */
export interface MessageSocket {
  readonly readyState: number;
  /** Queues one message; `cb` runs once it is written to the TCP socket (or with an error). */
  send(data: Buffer, options: { binary: boolean }, cb?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'open', listener: () => void): unknown;
  on(event: 'message', listener: (data: unknown, flagsOrIsBinary: unknown) => void): unknown;
  on(event: 'close', listener: (code: number, reason: unknown) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** The TCP socket under a ws 1.1.5 or ws 8 WebSocket (`_socket`), while it has one. */
function transportOf(ws: MessageSocket): { destroy(): void; resume(): void } | undefined {
  const transport = (ws as unknown as { _socket?: unknown })._socket;
  if (typeof transport !== 'object' || transport === null) return undefined;
  const candidate = transport as { destroy?: unknown; resume?: unknown };
  return typeof candidate.destroy === 'function' && typeof candidate.resume === 'function' ? (transport as { destroy(): void; resume(): void }) : undefined;
}

/**
 * Resumes reading the TCP socket under a WebSocket after `pause()`, also in states where ws 1.1.5's
 * own `resume()` throws (CLOSING): otherwise the peer's close frame and FIN are never read.
 */
export function resumeTransport(ws: MessageSocket): void {
  transportOf(ws)?.resume();
}

/**
 * Calls `onWrite` at the start of every write the WebSocket makes to its TCP socket, i.e. just before
 * a frame is handed to the kernel. Returns false when the WebSocket has no TCP socket (yet). Used by
 * the hop timing: the return of `send` can come long after the hand-off (on a busy machine the
 * write wakes the peer, which may take this process's CPU before the write returns).
 */
export function observeTransportWrites(ws: MessageSocket, onWrite: () => void): boolean {
  const transport = transportOf(ws) as { write?: unknown } | undefined;
  if (transport === undefined || typeof transport.write !== 'function') return false;
  const write = transport.write as (...args: unknown[]) => boolean;
  transport.write = function observedWrite(this: unknown, ...args: unknown[]): boolean {
    onWrite();
    return write.apply(this, args);
  };
  return true;
}

/**
 * Destroys the TCP socket under a WebSocket (ws 1.1.5 and ws 8 both keep it in `_socket`). For
 * teardown only: ws 1.1.5's `terminate()` merely ends the socket and keeps it up to 30 s.
 */
export function destroyTransport(ws: MessageSocket): void {
  transportOf(ws)?.destroy();
}

/**
 * Ends a WebSocket at once, in any state, and releases its TCP socket (no close handshake). ws 8's
 * `terminate()` aborts a handshake in progress (it keeps the request in `_req`); ws 1.1.5's (hyco-ws)
 * cannot: it only marks the socket closed and the upgrade request runs on, and when the 101 arrives
 * ws 1.1.5 ends the upgraded socket without ever reading it, so once the peer's close frame and FIN
 * are in, that descriptor is held for good (an agent refusing a burst kept one per refusal). A
 * connecting ws 1.1.5 socket is therefore left to finish its handshake and discarded when it opens;
 * if the handshake fails instead, ws 1.1.5 destroys the socket itself.
 */
export function discardWebSocket(ws: MessageSocket): void {
  const isAbortable = (ws as unknown as { _req?: unknown })._req != null;
  if (ws.readyState === WS_CONNECTING && !isAbortable) {
    ws.on('error', () => {});
    ws.on('open', () => discardWebSocket(ws));
    return;
  }
  ws.terminate();
  destroyTransport(ws);
}

/** Normalises a received message payload (Buffer, string, ArrayBuffer or fragments) to a Buffer. */
export function messageToBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data)) return Buffer.concat(data.filter((d): d is Buffer => Buffer.isBuffer(d)));
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.alloc(0);
}
