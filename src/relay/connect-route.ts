// The `sb-hc-action=connect` handshake: validate it, pick a listener, hold the sender's upgrade and
// send the listener an `accept`; also the timeout of a held sender. Authorization happened before.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendCommand } from './control-channel.js';
import { refuse, type RelayContext } from './context.js';
import type { HybridConnectionConfig } from './namespace.js';
import { createRendezvousId, type PendingRendezvous } from './rendezvous.js';
import { countReject } from './stats.js';

const wsKeyPattern = /^[+/0-9A-Za-z]{22}==$/;
const strippedConnectHeaders = new Set(['servicebusauthorization']);
const noListenerAccepted = 'None of the connected listeners accepted the connection within the allowed timeout.';

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

/** `<scheme>://<relay>/$hc/<path>?<app query>&sb-hc-action=accept&sb-hc-id=<id>`, reachable as-is. */
function acceptAddress(ctx: RelayContext, entityPath: string, query: URLSearchParams, id: string): string {
  const appQuery = new URLSearchParams([...query].filter(([key]) => !key.toLowerCase().startsWith('sb-hc-')));
  appQuery.append('sb-hc-action', 'accept');
  appQuery.append('sb-hc-id', id);
  const host = ctx.publicHost.includes(':') ? `[${ctx.publicHost}]` : ctx.publicHost;
  return `${ctx.scheme}://${host}:${ctx.advertisedPort ?? ctx.port}/$hc/${entityPath}?${appQuery.toString()}`;
}

/** Largest number of bytes a held sender may send before its 101 (it should send none). */
const maxEarlyBytes = 64 * 1024;

/**
 * Watches a held sender until the rendezvous completes. The upgrade socket is paused, so a sender
 * that hangs up would go unnoticed: read it, keep any early bytes for ws (`head`), and forget the
 * rendezvous on EOF or close (the http server's sockets are half-open, so EOF alone is no close).
 */
function holdSender(ctx: RelayContext, entry: PendingRendezvous): void {
  const { socket } = entry;
  const onGone = (): void => {
    if (ctx.rendezvous.take(entry.id) !== undefined) countReject(ctx.counters, 'sender-gone');
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    entry.head = Buffer.concat([entry.head, chunk]);
    if (entry.head.length > maxEarlyBytes) onGone();
  };
  socket.on('data', onData);
  socket.once('end', onGone);
  socket.once('close', onGone);
  socket.resume();
  ctx.holdReleases.set(entry, () => {
    socket.removeListener('data', onData);
    socket.removeListener('end', onGone);
    socket.removeListener('close', onGone);
    // Left flowing on purpose: ws adds its own 'data' listener in the same tick, and a socket
    // paused explicitly would stay paused after that.
  });
}

export function handleConnect(
  ctx: RelayContext,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: { hc: HybridConnectionConfig; entityPath: string; query: URLSearchParams },
  where: { trackingId: string; tracker: string },
): void {
  const { hc } = target;
  const key = request.headers['sec-websocket-key'];
  const isUpgrade = (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!isUpgrade || key === undefined || !wsKeyPattern.test(key.trim()) || request.headers['sec-websocket-version'] !== '13') {
    refuse(ctx, socket, { status: 400, message: 'Bad Request: invalid WebSocket handshake.' }, 'bad-request', { ...where, hc: hc.name });
    return;
  }
  const listener = ctx.listeners.pick(hc.name);
  if (listener === undefined) {
    const message = 'There are no listeners connected for the endpoint.';
    refuse(ctx, socket, { status: 404, message }, 'no-listener', { ...where, hc: hc.name });
    return;
  }
  if (ctx.faults.isRefusingAccepts) {
    refuse(ctx, socket, { status: 404, message: noListenerAccepted }, 'accepts-refused', { ...where, hc: hc.name });
    return;
  }
  if (ctx.counters.bridgesActive + ctx.rendezvous.size >= ctx.maxConnections) {
    const message = `QuotaExceeded: the namespace already has ${ctx.maxConnections} concurrent relayed connections (MaximumConnectionsPerNamespace).`;
    refuse(ctx, socket, { status: 403, message }, 'connection-quota', { ...where, hc: hc.name });
    return;
  }
  if (ctx.rendezvous.size >= ctx.maxPendingRendezvous) {
    const message = `QuotaExceeded: more than ${ctx.maxPendingRendezvous} connections are waiting for a listener.`;
    refuse(ctx, socket, { status: 503, message }, 'rendezvous-quota', { ...where, hc: hc.name });
    return;
  }
  const id = createRendezvousId(target.query.get('sb-hc-id'));
  const entry: PendingRendezvous = { id, hcName: hc.name, request, socket, head };
  holdSender(ctx, entry);
  ctx.rendezvous.add(entry);
  const accept = {
    accept: {
      address: acceptAddress(ctx, target.entityPath, target.query, id),
      id,
      connectHeaders: connectHeaders(request),
      remoteEndpoint: { address: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 },
    },
  };
  if (ctx.faults.acceptDelayMs > 0) {
    setTimeout(() => sendCommand(listener, accept), ctx.faults.acceptDelayMs).unref();
  } else {
    sendCommand(listener, accept);
  }
}

/** Called by the rendezvous table when nobody opened the accept address in time: 404 to the sender. */
export function expireRendezvous(ctx: RelayContext, entry: PendingRendezvous): void {
  ctx.holdReleases.get(entry)?.();
  refuse(ctx, entry.socket, { status: 404, message: noListenerAccepted }, 'rendezvous-timeout', {
    trackingId: `${entry.id}_G0`,
    tracker: `sb://${ctx.publicHost}/$hc/${entry.hcName}`,
    hc: entry.hcName,
  });
}
