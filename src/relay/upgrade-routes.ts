// Routes WebSocket upgrades on `/$hc/<hc>` by `sb-hc-action`: listen (control channel), connect
// (hold the sender, send `accept`), accept (complete both handshakes and bridge). No HTTP mode here.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { authorizeToken, findToken, type RelayAction } from './auth.js';
import { startBridge, type Bridge } from './bridge.js';
import { ListenerRegistry, maxListenersPerHybridConnection, serveControlChannel } from './control-channel.js';
import { refuseHandshake, serviceReason, type HandshakeRefusal } from './handshake-refusal.js';
import type { RelayLogSink } from './log.js';
import { resolveHybridConnection, type HybridConnectionConfig, type NamespaceConfig } from './namespace.js';
import { createRendezvousId, RendezvousTable, type PendingRendezvous } from './rendezvous.js';
import { countReject, type RejectReason, type RelayCounters } from './stats.js';

/** Everything the routes share; owned by one relay instance. */
export interface RelayContext {
  namespace: NamespaceConfig;
  /** `ws` or `wss`: the scheme of accept addresses. */
  scheme: 'ws' | 'wss';
  /** Host and port listeners use to reach the relay (accept addresses). */
  publicHost: string;
  port: number;
  wss: WebSocketServer;
  listeners: ListenerRegistry;
  rendezvous: RendezvousTable;
  counters: RelayCounters;
  bridges: Set<Bridge>;
  /** Subprotocol chosen by the listener, per held sender request (read by handleProtocols). */
  chosenProtocols: WeakMap<IncomingMessage, string | false>;
  /** Release hooks of held senders (detach their hold-time listeners). */
  holdReleases: WeakMap<PendingRendezvous, () => void>;
  log: RelayLogSink;
  /** Wall clock in ms (token expiry). */
  nowMs: () => number;
}

const wsKeyPattern = /^[+/0-9A-Za-z]{22}==$/;
const strippedConnectHeaders = new Set(['servicebusauthorization']);

function refuse(ctx: RelayContext, socket: Duplex, refusal: HandshakeRefusal, reason: RejectReason, trackingId: string, tracker: string, hc?: string): void {
  countReject(ctx.counters, reason);
  ctx.log({ level: 'info', event: 'handshake-refused', code: refusal.status, message: `${reason}: ${refusal.message}`, ...(hc === undefined ? {} : { hc }) });
  refuseHandshake(socket, refusal.status, serviceReason(refusal.message, trackingId, tracker, new Date(ctx.nowMs())));
}

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

function audienceHosts(ctx: RelayContext, request: IncomingMessage): string[] {
  const fromHeader = hostnameOf(request.headers.host);
  return [ctx.publicHost, ...(fromHeader === undefined ? [] : [fromHeader]), ...(ctx.namespace.audienceHosts ?? [])];
}

/** Entry point for every 'upgrade' event of the relay's HTTP server. */
export function routeUpgrade(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => {});
  const url = new URL(request.url ?? '/', 'http://relay.invalid');
  const query = url.searchParams;
  const trackingId = `${query.get('sb-hc-id') ?? randomUUID()}_G0`;
  const path = decodeURIComponent(url.pathname);
  const tracker = `sb://${ctx.publicHost}${path}`;
  if (!path.startsWith('/$hc/')) {
    refuse(ctx, socket, { status: 404, message: 'Endpoint does not exist.' }, 'not-found', trackingId, tracker);
    return;
  }
  const action = query.get('sb-hc-action') ?? 'connect';
  if (action === 'accept') {
    handleAccept(ctx, request, socket, head, query, trackingId, tracker);
    return;
  }
  if (action !== 'listen' && action !== 'connect') {
    refuse(ctx, socket, { status: 400, message: `Bad Request: unknown sb-hc-action '${action.slice(0, 32)}'.` }, 'bad-request', trackingId, tracker);
    return;
  }
  if (action === 'connect') ctx.counters.connectRequests += 1;
  const entityPath = path.slice('/$hc/'.length);
  const resolved = resolveHybridConnection(ctx.namespace, entityPath);
  if (resolved === undefined) {
    refuse(ctx, socket, { status: 404, message: 'Endpoint does not exist.' }, 'not-found', trackingId, tracker);
    return;
  }
  const auth = authorizeToken(findToken(request, query), action as RelayAction, {
    namespace: ctx.namespace,
    hc: resolved.hc,
    entityPath,
    audienceHosts: audienceHosts(ctx, request),
    nowSec: Math.floor(ctx.nowMs() / 1000),
  });
  if (!auth.ok) {
    refuse(ctx, socket, auth.refusal, auth.reason, trackingId, tracker, resolved.hc.name);
    return;
  }
  if (action === 'listen') {
    handleListen(ctx, request, socket, head, resolved.hc, auth.expiresAtSec ?? Number.POSITIVE_INFINITY, trackingId, tracker);
  } else {
    handleConnect(ctx, request, socket, head, resolved.hc, entityPath, query, trackingId, tracker);
  }
}

function handleListen(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer, hc: HybridConnectionConfig, expiresAtSec: number, trackingId: string, tracker: string): void {
  if (ctx.listeners.count(hc.name) >= maxListenersPerHybridConnection) {
    const message = `MaximumListenersPerEndpoint: The maximum number of listeners (${maxListenersPerHybridConnection}) for the endpoint has been reached.`;
    refuse(ctx, socket, { status: 403, message }, 'listener-limit', trackingId, tracker, hc.name);
    return;
  }
  ctx.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
    const channel = { ws, hcName: hc.name, expiresAtSec };
    ctx.listeners.add(channel);
    ctx.counters.listenersTotal += 1;
    ctx.log({ level: 'info', event: 'listener-registered', hc: hc.name });
    serveControlChannel(channel, {
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
      onClose: () => {
        ctx.listeners.remove(channel);
        ctx.log({ level: 'info', event: 'listener-closed', hc: hc.name });
      },
      log: ctx.log,
    });
  });
}

/** The sender's handshake headers for `connectHeaders`, original casing, auth headers removed. */
function connectHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] ?? '';
    if (strippedConnectHeaders.has(name.toLowerCase())) continue;
    const value = raw[index + 1] ?? '';
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function acceptAddress(ctx: RelayContext, entityPath: string, query: URLSearchParams, id: string): string {
  const appQuery = new URLSearchParams([...query].filter(([key]) => !key.toLowerCase().startsWith('sb-hc-')));
  appQuery.append('sb-hc-action', 'accept');
  appQuery.append('sb-hc-id', id);
  const host = ctx.publicHost.includes(':') ? `[${ctx.publicHost}]` : ctx.publicHost;
  return `${ctx.scheme}://${host}:${ctx.port}/$hc/${entityPath}?${appQuery.toString()}`;
}

function handleConnect(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer, hc: HybridConnectionConfig, entityPath: string, query: URLSearchParams, trackingId: string, tracker: string): void {
  const key = request.headers['sec-websocket-key'];
  const isUpgrade = (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!isUpgrade || key === undefined || !wsKeyPattern.test(key.trim()) || request.headers['sec-websocket-version'] !== '13') {
    refuse(ctx, socket, { status: 400, message: 'Bad Request: invalid WebSocket handshake.' }, 'bad-request', trackingId, tracker, hc.name);
    return;
  }
  const listener = ctx.listeners.pick(hc.name);
  if (listener === undefined) {
    refuse(ctx, socket, { status: 404, message: 'There are no listeners connected for the endpoint.' }, 'no-listener', trackingId, tracker, hc.name);
    return;
  }
  const id = createRendezvousId(query.get('sb-hc-id'));
  const entry: PendingRendezvous = { id, hcName: hc.name, request, socket, head };
  const onGone = (): void => {
    if (ctx.rendezvous.take(id) !== undefined) countReject(ctx.counters, 'sender-gone');
  };
  socket.once('close', onGone);
  ctx.holdReleases.set(entry, () => socket.removeListener('close', onGone));
  ctx.rendezvous.add(entry);
  const accept = {
    accept: {
      address: acceptAddress(ctx, entityPath, query, id),
      id,
      connectHeaders: connectHeaders(request),
      remoteEndpoint: { address: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 },
    },
  };
  listener.ws.send(JSON.stringify(accept));
}

/** Called by the rendezvous table when nobody opened the accept address in time. */
export function expireRendezvous(ctx: RelayContext, entry: PendingRendezvous): void {
  ctx.holdReleases.get(entry)?.();
  const message = 'None of the connected listeners accepted the connection within the allowed timeout.';
  refuse(ctx, entry.socket, { status: 404, message }, 'rendezvous-timeout', `${entry.id}_G0`, `sb://${ctx.publicHost}/$hc/${entry.hcName}`, entry.hcName);
}

function parseStatus(text: string | null): number | undefined {
  if (text === null) return undefined;
  const status = Number(text);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 400;
}

function handleAccept(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams, trackingId: string, tracker: string): void {
  const entry = ctx.rendezvous.take(query.get('sb-hc-id') ?? '');
  if (entry === undefined) {
    const message = 'The rendezvous address is invalid, has expired or was already used.';
    refuse(ctx, socket, { status: 403, message }, 'rendezvous-invalid', trackingId, tracker);
    return;
  }
  ctx.holdReleases.get(entry)?.();
  const rejectStatus = parseStatus(query.get('sb-hc-statusCode') ?? query.get('statusCode'));
  if (rejectStatus !== undefined) {
    const description = query.get('sb-hc-statusDescription') ?? query.get('statusDescription') ?? 'Rejected by user code';
    countReject(ctx.counters, 'listener-rejected');
    ctx.log({ level: 'info', event: 'listener-rejected', hc: entry.hcName, code: rejectStatus });
    refuseHandshake(socket, 410, 'Gone');
    refuseHandshake(entry.socket, rejectStatus, description);
    return;
  }
  if (entry.socket.destroyed || !entry.socket.writable) {
    refuse(ctx, socket, { status: 410, message: 'The sender has disconnected.' }, 'sender-gone', trackingId, tracker, entry.hcName);
    return;
  }
  const offered = request.headers['sec-websocket-protocol'];
  const chosen = offered === undefined ? false : (offered.split(',')[0]?.trim() ?? false);
  ctx.chosenProtocols.set(entry.request, chosen === '' ? false : chosen);
  let isListenerUpgraded = false;
  ctx.wss.handleUpgrade(request, socket, head, (listenerWs: WebSocket) => {
    isListenerUpgraded = true;
    let isSenderUpgraded = false;
    ctx.wss.handleUpgrade(entry.request, entry.socket, entry.head, (senderWs: WebSocket) => {
      isSenderUpgraded = true;
      ctx.counters.rendezvousCompleted += 1;
      ctx.counters.bridgesTotal += 1;
      ctx.counters.bridgesActive += 1;
      const bridge = startBridge(senderWs, listenerWs, {
        senderToListener: ctx.counters.senderToListener,
        listenerToSender: ctx.counters.listenerToSender,
        onEnd: () => {
          ctx.counters.bridgesActive -= 1;
          ctx.bridges.delete(bridge);
        },
      });
      ctx.bridges.add(bridge);
    });
    if (!isSenderUpgraded) {
      countReject(ctx.counters, 'sender-gone');
      listenerWs.on('error', () => {});
      listenerWs.close(1001, 'The sender has disconnected.');
    }
  });
  if (!isListenerUpgraded) {
    // ws refused the listener's handshake (e.g. no key): fail the held sender too.
    countReject(ctx.counters, 'bad-request');
    refuseHandshake(entry.socket, 502, 'The listener failed to complete the rendezvous handshake.');
  }
}
