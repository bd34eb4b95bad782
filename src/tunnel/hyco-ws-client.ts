// Typed access to the unmodified hyco-ws 1.0.5 package (CommonJS, no usable types: @types/hyco-ws
// describes ws 8, but the runtime is ws 1.1.5). Loads it once; must not patch or wrap its behaviour
// (accept-gate.ts only chooses when its control channel's messages reach it).

import { createRequire } from 'node:module';
import type { MessageSocket } from '../net/message-socket.js';

/** A hyco-ws relayed WebSocket (a ws 1.1.5 client) as far as hcbench uses it. */
export interface HycoWebSocket extends MessageSocket {
  /** The address it was opened to (for a relayed connection: the accept address). */
  readonly url?: string;
  /** ws 1.1.5 emitter API for removing listeners we added. */
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

/** hyco-ws's `HybridConnectionsWebSocketServer` (the listener) as far as hcbench uses it. */
export interface HycoRelayedServer {
  /** Sets `closeRequested` (which stops hyco-ws's reconnects) and closes the control channel and clients. */
  close(callback?: (error: unknown) => void): void;
  /** The current control-channel WebSocket; replaced on every reconnect. */
  readonly controlChannel: HycoWebSocket | undefined;
  on(event: 'listening', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'connection', listener: (ws: HycoWebSocket) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** The hyco-ws module functions hcbench calls. */
export interface HycoWsModule {
  /** Opens a sender WebSocket to `address` with the `ServiceBusAuthorization: <token>` header. */
  relayedConnect(address: string, token: string | null): HycoWebSocket;
  /** Registers a listener; `token` may be a function, which hyco-ws calls again every 60 min to renew. */
  createRelayedServer(
    options: { server: string; token: string | (() => string); clientTracking?: boolean },
    onConnection?: (ws: HycoWebSocket) => void,
  ): HycoRelayedServer;
}

let loaded: HycoWsModule | undefined;

/** Returns the hyco-ws module (loaded on first use through Node's CommonJS loader). */
export function hycoWs(): HycoWsModule {
  loaded ??= createRequire(import.meta.url)('hyco-ws') as HycoWsModule;
  return loaded;
}
