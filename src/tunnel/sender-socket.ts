// Opening a sender WebSocket (`sb-hc-action=connect`) so that its setup can be abandoned for real:
// a client that resets while the relayed WebSocket is still connecting must not leave the relay
// handshake (one descriptor each) running until the relay answers. ws 8's terminate() aborts its
// upgrade request; ws 1.1.5's (inside hyco-ws) only marks the socket closed and lets the HTTP
// upgrade request run on, so the socket under that request is captured and destroyed here.

import type { Agent as HttpAgent, AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { hycoWs } from './hyco-ws-client.js';
import { type MessageSocket, WS_CONNECTING } from '../net/message-socket.js';
import type { ClientStack } from './client-stack.js';
import { newResolvingAgent, resolveAgentOption } from './resolve-agent.js';

/** A sender WebSocket and the way to abandon its opening handshake. */
export interface Sender {
  ws: MessageSocket;
  /**
   * While the WebSocket is still connecting: stops the handshake and releases its socket now (the
   * WebSocket emits 'close', possibly after an 'error'). Does nothing once it is open or closed.
   */
  abortHandshake(): void;
}

type CreateConnection = (options: unknown, callback?: unknown) => Duplex;

/** Remembers the socket each handshake request gets (created synchronously inside the request). */
function capturing<A extends HttpAgent>(agent: A): A & { take(): Duplex | undefined } {
  let last: Duplex | undefined;
  const create = (agent.createConnection as CreateConnection).bind(agent);
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (options, callback) => {
    last = create(options, callback);
    return last;
  };
  return Object.assign(agent, {
    take(): Duplex | undefined {
      const socket = last;
      last = undefined;
      return socket;
    },
  });
}

// No keep-alive: an upgraded socket is never pooled, and every handshake must get a fresh socket
// (created synchronously by the agent), which is what makes the capture exact. One agent per
// sender, built with the process's --resolve overrides and extra CA (resolve-agent.ts), so the
// rehearsal's name mapping reaches this socket too.
const agentOptions: AgentOptions = { keepAlive: false };

/**
 * hyco-ws's `relayedConnect(uri, token)` — which is `new WS(uri, null, { headers: {
 * ServiceBusAuthorization: token } })` — plus ws 1.1.5's own `agent` option, so the handshake's
 * socket is known and can be destroyed.
 */
function openHycoSender(uri: string, token: string, onConnected?: () => void): Sender {
  const isSecure = /^(wss|https):/i.test(uri);
  const agent = capturing(newResolvingAgent(isSecure, agentOptions));
  const Ws = hycoWs() as unknown as new (address: string, protocols: null, options: object) => MessageSocket;
  const ws = new Ws(uri, null, { headers: { ServiceBusAuthorization: token }, agent });
  const handshakeSocket = agent.take();
  // Over TLS the upgrade request goes out after the TLS handshake, not at the TCP connect.
  if (onConnected !== undefined) handshakeSocket?.once(isSecure ? 'secureConnect' : 'connect', onConnected);
  return {
    ws,
    abortHandshake() {
      if (ws.readyState !== WS_CONNECTING) return;
      // terminate() while connecting: 'close' (1006) now, and ws 1.1.5 sinks later errors itself.
      ws.terminate();
      handshakeSocket?.destroy();
    },
  };
}

/**
 * Opens a sender WebSocket to a `sb-hc-action=connect` URI with the `ServiceBusAuthorization` header.
 * `onConnected` (hyco-ws stack only): its connection to the relay is up, TCP and TLS (the upgrade request goes out).
 */
export function openSender(stack: ClientStack, uri: string, token: string, onConnected?: () => void): Sender {
  if (stack === 'hyco-ws') return openHycoSender(uri, token, onConnected);
  const ws = new WebSocket(uri, { headers: { ServiceBusAuthorization: token }, perMessageDeflate: false, ...resolveAgentOption(uri) });
  return {
    ws: ws as unknown as MessageSocket,
    abortHandshake() {
      // ws 8 aborts the upgrade request and destroys its socket ('error', then 'close' 1006).
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    },
  };
}
