// Routes WebSocket upgrades on `/$hc/<hc>` by `sb-hc-action` (missing = connect): resolves the
// hybrid connection, authorizes, applies the legs' handshake delay, then hands over to one route.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { handleAccept } from './accept-route.js';
import { authorizeToken, findToken, type RelayAction } from './auth.js';
import { handleConnect } from './connect-route.js';
import { audienceHosts, refuse, type RelayContext } from './context.js';
import { sampleTraversalsMs } from '../net/delay-line.js';
import { runAfter } from './delay.js';
import { handleRequestRendezvous } from './http-mode.js';
import { handleListen } from './listen-route.js';
import { resolveHybridConnection } from './namespace.js';

/**
 * Handshake latency of the emulated legs, as one-way crossings of a leg, each with its own jitter.
 * Every new WebSocket first pays `handshakeRoundTrips` round trips of its leg (TCP, TLS: the
 * endpoints' own connects complete on loopback). Then a sender's request and its 101 each cross the
 * sender leg (charged up front since the 101 waits for the rendezvous anyway); a listener's accept
 * request crosses the listener leg once (the `accept` message already paid the other way, and only
 * the sender's 101 is on the path to the first byte); a listen handshake pays the listener leg both
 * ways.
 */
export function handshakeTraversals(action: string, handshakeRoundTrips: number): { leg: 'senderLeg' | 'listenerLeg'; traversals: number } | undefined {
  const handshake = 2 * Math.max(0, handshakeRoundTrips);
  if (action === 'connect') return { leg: 'senderLeg', traversals: handshake + 2 };
  if (action === 'accept' || action === 'request') return { leg: 'listenerLeg', traversals: handshake + 1 };
  if (action === 'listen') return { leg: 'listenerLeg', traversals: handshake + 2 };
  return undefined;
}

function handshakeDelayMs(ctx: RelayContext, action: string): number {
  const crossing = handshakeTraversals(action, ctx.delays.handshakeRoundTrips ?? 0);
  if (crossing === undefined) return 0;
  return sampleTraversalsMs(ctx.delays[crossing.leg], crossing.traversals, ctx.shaperClock?.random ?? Math.random);
}

function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

/**
 * The raw socket's 'error' sink. Module-level on purpose: a closure made inside routeUpgrade would
 * share its context and keep the upgrade request (headers, URL, head) alive for the connection's life.
 */
const ignoreError = (): void => {};

/** Entry point for every 'upgrade' event of the relay's HTTP server. */
export function routeUpgrade(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', ignoreError);
  const url = new URL(request.url ?? '/', 'http://relay.invalid');
  const query = url.searchParams;
  const action = query.get('sb-hc-action') ?? 'connect';
  runAfter(handshakeDelayMs(ctx, action), () => route(ctx, request, socket, head, url, action));
}

function route(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer, url: URL, action: string): void {
  const query = url.searchParams;
  const path = decodePath(url.pathname) ?? '';
  const where = { trackingId: `${query.get('sb-hc-id') ?? randomUUID()}_G0`, tracker: `sb://${ctx.publicHost}${path}` };
  if (!path.startsWith('/$hc/')) {
    refuse(ctx, socket, { status: 404, message: 'Endpoint does not exist.' }, 'not-found', where);
    return;
  }
  if (action === 'accept') {
    handleAccept(ctx, request, socket, head, query, where);
    return;
  }
  if (action === 'request') {
    handleRequestRendezvous(ctx, request, socket, head, query, where);
    return;
  }
  if (action !== 'listen' && action !== 'connect') {
    const message = `Bad Request: unknown sb-hc-action '${action.slice(0, 32)}'.`;
    refuse(ctx, socket, { status: 400, message }, 'bad-request', where);
    return;
  }
  if (action === 'connect') ctx.counters.connectRequests += 1;
  const entityPath = path.slice('/$hc/'.length);
  const resolved = resolveHybridConnection(ctx.namespace, entityPath);
  if (resolved === undefined || ctx.faults.disabledHcs.has(resolved.hc.name)) {
    refuse(ctx, socket, { status: 404, message: 'Endpoint does not exist.' }, 'not-found', where);
    return;
  }
  const hcWhere = { ...where, hc: resolved.hc.name };
  const auth = authorizeToken(findToken(request, query), action as RelayAction, {
    namespace: ctx.namespace,
    hc: resolved.hc,
    entityPath,
    audienceHosts: audienceHosts(ctx, request),
    nowSec: Math.floor(ctx.nowMs() / 1000),
  });
  if (!auth.ok) {
    refuse(ctx, socket, auth.refusal, auth.reason, hcWhere);
    return;
  }
  if (action === 'listen') {
    handleListen(ctx, request, socket, head, resolved.hc, auth.expiresAtSec ?? Number.POSITIVE_INFINITY, where);
  } else {
    handleConnect(ctx, request, socket, head, { hc: resolved.hc, entityPath, query }, where);
  }
}
