// A Hybrid Connections listener on ws 8 speaking the same protocol as hyco-ws (control channel,
// `accept` -> rendezvous WebSocket), with the hyco-ws server's event surface so the agent can use
// either. It never reconnects by itself: a lost control channel is reported as 'error' and the
// agent's backoff decides. No logging, no process access.

import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import type { HycoRelayedServer, HycoWebSocket } from './hyco-ws-client.js';
import { type RelayRefusalError, refusalOf } from './refusal-reason.js';
import { resolveAgentOption } from './resolve-agent.js';

/** Options of {@link createWs8RelayedServer}; mirrors hyco-ws `createRelayedServer`. */
export interface Ws8ListenerOptions {
  /** Listen URI (`.../$hc/<hc>?sb-hc-action=listen`). */
  server: string;
  /** Token, or a function called at each connect (renewal is the agent's: token-renewal.ts). */
  token: string | (() => string);
}

/** Error emitted when an open control channel closes without close() having been called. */
export class ControlChannelClosedError extends Error {
  readonly closeCode: number;
  constructor(closeCode: number) {
    super(`control channel closed by the relay (${closeCode})`);
    this.closeCode = closeCode;
  }
}

interface AcceptCommand {
  address: string;
  connectHeaders?: Record<string, string>;
}

/** Reads an `accept` command; anything else (including non-JSON text) is ignored, never thrown. */
function parseAccept(data: Buffer, isBinary: boolean): AcceptCommand | undefined {
  if (isBinary) return undefined;
  try {
    const message = JSON.parse(data.toString('utf8')) as { accept?: { address?: unknown; connectHeaders?: unknown } };
    const accept = message.accept;
    if (typeof accept?.address !== 'string') return undefined;
    const headers = typeof accept.connectHeaders === 'object' && accept.connectHeaders !== null ? accept.connectHeaders : {};
    return { address: accept.address, connectHeaders: headers as Record<string, string> };
  } catch {
    return undefined;
  }
}

/** The first sub-protocol the sender offered (what hyco-ws picks too), if any. */
function firstProtocol(headers: Record<string, string> = {}): string | undefined {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol');
  return entry?.[1].split(',')[0]?.trim() || undefined;
}

/** Starts registering a ws 8 listener; events as hyco-ws: 'listening', 'error', 'close', 'connection'. */
export function createWs8RelayedServer(
  options: Ws8ListenerOptions,
  onConnection?: (ws: HycoWebSocket) => void,
): HycoRelayedServer {
  const emitter = new EventEmitter();
  const tokenNow = (): string => (typeof options.token === 'function' ? options.token() : options.token);
  const channel = new WebSocket(options.server, { headers: { ServiceBusAuthorization: tokenNow() }, perMessageDeflate: false, ...resolveAgentOption(options.server) });
  let isCloseRequested = false;
  /** The relay's refusal of the handshake, reported instead of ws 8's reason-less abort error. */
  let refusal: RelayRefusalError | undefined;
  if (onConnection !== undefined) emitter.on('connection', onConnection);

  channel.on('open', () => {
    emitter.emit('listening');
  });
  channel.on('message', (data: Buffer, isBinary: boolean) => {
    const accept = parseAccept(data, isBinary);
    if (accept === undefined) return;
    const protocol = firstProtocol(accept.connectHeaders);
    const ws = new WebSocket(accept.address, protocol === undefined ? [] : [protocol], { perMessageDeflate: false, ...resolveAgentOption(accept.address) });
    ws.on('error', () => {}); // the pump attaches its own handler; this one keeps a failed accept from crashing
    emitter.emit('connection', ws as unknown as HycoWebSocket);
  });
  channel.on('unexpected-response', (_request, response) => {
    refusal = refusalOf(response);
    channel.terminate(); // ws 8 leaves a handled refusal open; this aborts it with 'error' and 'close'
  });
  channel.on('error', (error) => {
    if (!isCloseRequested) emitter.emit('error', refusal ?? error);
  });
  channel.on('close', (code: number) => {
    if (isCloseRequested) emitter.emit('close');
    else emitter.emit('error', new ControlChannelClosedError(code));
  });

  const server = {
    get controlChannel() {
      return channel as unknown as HycoWebSocket;
    },
    close(callback?: (error: unknown) => void) {
      isCloseRequested = true;
      if (channel.readyState === WebSocket.CONNECTING) channel.terminate();
      else channel.close();
      callback?.(null);
    },
    on(event: string, listener: (...args: never[]) => void) {
      emitter.on(event, listener as (...args: unknown[]) => void);
      return server;
    },
    removeAllListeners(event?: string) {
      emitter.removeAllListeners(event);
      return server;
    },
  };
  return server as HycoRelayedServer;
}
