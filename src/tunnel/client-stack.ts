// The WebSocket client library the tunnel endpoints speak the relay protocol with: hyco-ws 1.0.5
// (Microsoft's package, bundling ws 1.1.5; the default) or ws 8 with the same protocol (the lean
// path, to separate client-library cost from relay cost). Opens sockets only when asked.

import { type HycoRelayedServer, type HycoWebSocket, hycoWs } from './hyco-ws-client.js';
import { reportRefusalReason } from './refusal-reason.js';
import { type TokenRenewalOptions, withTokenRenewal } from './token-renewal.js';
import { createWs8RelayedServer } from './ws8-listener.js';

/** Which client library carries the relayed WebSockets. Default `hyco-ws`. */
export type ClientStack = 'hyco-ws' | 'ws8';

export const clientStacks: readonly ClientStack[] = ['hyco-ws', 'ws8'];

/**
 * Registers a listener on a `sb-hc-action=listen` URI; both stacks share hyco-ws's event surface.
 * Both renew the token on `renewal`'s schedule (hyco-ws additionally renews every 60 min, fixed).
 */
export function createListener(
  stack: ClientStack,
  uri: string,
  token: () => string,
  onConnection: (ws: HycoWebSocket) => void,
  renewal: TokenRenewalOptions,
): HycoRelayedServer {
  if (stack === 'ws8') return withTokenRenewal(createWs8RelayedServer({ server: uri, token }, onConnection), token, renewal);
  // clientTracking off: hyco-ws's close() would otherwise also close live relayed connections
  // whenever the agent drops a failed control channel; the agent's tracker owns them instead.
  const server = hycoWs().createRelayedServer({ server: uri, token, clientTracking: false }, onConnection);
  // The first channel only: hyco-ws replaces it on reconnect, but the agent makes a new server after every failure.
  reportRefusalReason(server.controlChannel);
  return withTokenRenewal(server, token, renewal);
}
