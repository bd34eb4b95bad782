// Typed access to the unmodified hyco-ws 1.0.5 package (CommonJS, no types) for relay tests:
// a listener that resolves once registered and closes cleanly, and a sender. Test-only.

import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** The ws 1.1.5 WebSocket that hyco-ws returns (only what tests use). */
export interface HycoSocket extends EventEmitter {
  readyState: number;
  protocol?: string;
  send(data: string | Buffer, options?: { binary?: boolean }, callback?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** ws 1.1.5 'message' flags. */
export interface HycoMessageFlags {
  binary?: boolean;
}

export interface HycoRelayedServer extends EventEmitter {
  close(callback?: (error: Error | null) => void): void;
}

interface HycoModule {
  createRelayedServer(options: { server: string; token: string | (() => string) }, onConnection?: (ws: HycoSocket) => void): HycoRelayedServer;
  relayedConnect(address: string, token?: string | null): HycoSocket;
  createRelayToken(uri: string, keyName: string, key: string, expirationSeconds?: number): string;
}

const require = createRequire(import.meta.url);
/** The hyco-ws module exactly as published. */
export const hyco = require('hyco-ws') as HycoModule;

export interface HycoListener {
  server: HycoRelayedServer;
  /** Every accept socket, already open. */
  connections: HycoSocket[];
  /** Errors the listener emitted (failed listens). */
  errors: unknown[];
  close(): Promise<void>;
}

/**
 * Starts a hyco-ws listener and resolves once its control channel is open. By default the first
 * failed listen closes it (hyco-ws would retry in a hot loop); `shouldRetry` lets it hammer on
 * (flood tests) until `close()`. `onCreated` receives it before the first attempt, for cleanup.
 */
export async function startHycoListener(
  listenUri: string,
  token: string | (() => string),
  onOpenConnection: (ws: HycoSocket) => void = () => {},
  options: { shouldRetry?: boolean; onCreated?: (listener: HycoListener) => void } = {},
): Promise<HycoListener> {
  const connections: HycoSocket[] = [];
  const errors: unknown[] = [];
  const server = hyco.createRelayedServer({ server: listenUri, token }, (ws) => {
    // 'connection' fires before the accept socket is open (hyco-ws defect 5): wait for 'open'.
    ws.on('error', () => {});
    ws.once('open', () => {
      connections.push(ws);
      onOpenConnection(ws);
    });
  });
  let isClosed = false;
  server.on('error', (error: unknown) => {
    errors.push(error);
    // A failed listen would otherwise reconnect in a hot loop.
    if (!isClosed && options.shouldRetry !== true) {
      isClosed = true;
      server.close(() => {});
    }
  });
  const close = async (): Promise<void> => {
    if (isClosed) return;
    isClosed = true;
    // Not events.once: it would reject on the 'error' a still-pending listen attempt may emit.
    const closed = new Promise((resolve) => server.once('close', resolve));
    server.close(() => {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  };
  const listener = { server, connections, errors, close };
  options.onCreated?.(listener);
  if (options.shouldRetry !== true) {
    // once() rejects if 'error' comes first.
    await once(server, 'listening');
  }
  return listener;
}

/** Opens a hyco-ws sender and resolves when it is open; rejects with the handshake error. */
export async function connectHycoSender(connectUri: string, token: string | null): Promise<HycoSocket> {
  const ws = hyco.relayedConnect(connectUri, token);
  try {
    await once(ws, 'open');
  } catch (error) {
    throw error instanceof Error ? error : new Error(String(error));
  }
  ws.on('error', () => {});
  return ws;
}
