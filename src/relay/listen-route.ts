// The `sb-hc-action=listen` handshake: quota and fault checks, then the upgrade that registers a
// control channel. Authorization happened before; no rendezvous logic here.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import { authorizeToken } from './auth.js';
import { serveControlChannel, type ControlChannel } from './control-channel.js';
import { audienceHosts, refuse, type RelayContext } from './context.js';
import { createShaper } from './delay.js';
import { ResponseReader } from './http-exchange.js';
import type { HybridConnectionConfig } from './namespace.js';

export function handleListen(
  ctx: RelayContext,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  hc: HybridConnectionConfig,
  expiresAtSec: number,
  where: { trackingId: string; tracker: string },
): void {
  if (ctx.faults.isRefusingListeners) {
    const message = 'ServiceUnavailable: The service is temporarily unable to register listeners.';
    refuse(ctx, socket, { status: 503, message }, 'listeners-refused', { ...where, hc: hc.name });
    return;
  }
  const maxListeners = DEFAULT_RELAY_LIMITS.listenersPerHybridConnection;
  if (ctx.listeners.count(hc.name) >= maxListeners) {
    const message = `MaximumListenersPerEndpoint: The maximum number of listeners (${maxListeners}) for the endpoint has been reached.`;
    refuse(ctx, socket, { status: 403, message }, 'listener-limit', { ...where, hc: hc.name });
    return;
  }
  ctx.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
    const channel: ControlChannel = {
      ws,
      hcName: hc.name,
      expiresAtSec,
      toListener: createShaper(ctx.delays.listenerLeg, ctx.shaperClock),
    };
    ctx.listeners.add(channel);
    ctx.counters.listenersTotal += 1;
    ctx.log({ level: 'info', event: 'listener-registered', hc: hc.name });
    const reader = new ResponseReader(ctx.httpExchanges);
    // A response body streamed on the control channel shows its progress as bytes (http-exchange.ts).
    socket.on('data', () => reader.onBytes());
    serveControlChannel(channel, {
      onResponse: (value) => reader.onResponse(value),
      onBinary: (data) => reader.onBinary(data),
      authorizeRenewal: (token) =>
        authorizeToken(token, 'listen', {
          namespace: ctx.namespace,
          hc,
          entityPath: hc.name,
          audienceHosts: audienceHosts(ctx, request),
          nowSec: Math.floor(ctx.nowMs() / 1000),
        }),
      onIgnoredMessage: () => {
        ctx.counters.controlMessagesIgnored += 1;
      },
      onRenewed: () => {
        ctx.counters.tokenRenewals += 1;
      },
      onClose: () => {
        ctx.listeners.remove(channel);
        ctx.log({ level: 'info', event: 'listener-closed', hc: hc.name });
      },
      log: ctx.log,
    });
  });
}
