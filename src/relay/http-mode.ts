// HTTP mode, sender side: a plain HTTP request to `/<hc>[/suffix]` is authorized, read, and handed
// to a listener as a `request` command (≤ 64 kB on the control channel, larger ones through a
// request rendezvous). Also the listener's `sb-hc-action=request` upgrade. Does not parse responses.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { authorizeToken } from './auth.js';
import { sendCommand, sendFrames } from './control-channel.js';
import { audienceHosts, refuse, type RelayContext } from './context.js';
import { sampleTraversalsMs } from '../net/delay-line.js';
import { runAfter, sampleOneWayMs } from './delay.js';
import { ResponseReader, type HttpExchange } from './http-exchange.js';
import { resolveHybridConnection } from './namespace.js';
import { countReject } from './stats.js';

/** Largest request (command JSON + body) sent on the control channel, as in the service. */
export const controlChannelRequestLimitBytes = 64 * 1024;
/** Largest request header block sent on the control channel. */
export const controlChannelHeaderLimitBytes = 32 * 1024;

/** RFC 7230 connection headers and the relay's own auth headers: never forwarded to the listener. */
const strippedRequestHeaders = new Set(['connection', 'content-length', 'host', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'close', 'keep-alive', 'proxy-connection', 'servicebusauthorization']);

/** The query without `sb-hc-<name>=<value>` pairs (bare `sb-hc-x` keys stay), otherwise byte for byte. */
export function stripRelayQuery(rawQuery: string): string {
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '' && !/^sb-hc-[^=]*=/i.test(pair))
    .join('&');
}

function tokenOf(request: IncomingMessage, rawQuery: string): { token: string | undefined; isAuthorizationHeader: boolean } {
  const header = request.headers['servicebusauthorization'];
  if (typeof header === 'string' && header !== '') return { token: header, isAuthorizationHeader: false };
  const fromQuery = new URLSearchParams(rawQuery).get('sb-hc-token');
  if (fromQuery !== null && fromQuery !== '') return { token: fromQuery, isAuthorizationHeader: false };
  const authorization = request.headers.authorization;
  return { token: authorization === '' ? undefined : authorization, isAuthorizationHeader: authorization !== undefined };
}

function requestHeaders(request: IncomingMessage, isAuthorizationUsed: boolean, viaHost: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const lower = name.toLowerCase();
    if (strippedRequestHeaders.has(lower) || (isAuthorizationUsed && lower === 'authorization')) continue;
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const viaName = Object.keys(headers).find((name) => name.toLowerCase() === 'via') ?? 'Via';
  headers[viaName] = headers[viaName] === undefined ? `1.1 ${viaHost}` : `${headers[viaName]}, 1.1 ${viaHost}`;
  return headers;
}

/** A service error on an HTTP sender: plain text, no `Via`. */
function answer(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, message.replace(/[^\x20-\x7e]/g, ' '), { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message) });
  response.end(message);
}

/** Handles an HTTP request to `/<hc>...`; returns false when the path names no hybrid connection. */
export function handleSenderRequest(ctx: RelayContext, request: IncomingMessage, response: ServerResponse): boolean {
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : target.slice(queryStart + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath).replace(/^\/+/, '');
  } catch {
    return false;
  }
  const resolved = resolveHybridConnection(ctx.namespace, path);
  if (resolved === undefined || ctx.faults.disabledHcs.has(resolved.hc.name)) return false;
  ctx.counters.httpRequests += 1;
  const { token, isAuthorizationHeader } = tokenOf(request, rawQuery);
  const auth = authorizeToken(token, 'connect', { namespace: ctx.namespace, hc: resolved.hc, entityPath: path, audienceHosts: audienceHosts(ctx, request), nowSec: Math.floor(ctx.nowMs() / 1000) });
  if (!auth.ok) {
    countReject(ctx.counters, auth.reason);
    answer(response, auth.refusal.status, auth.refusal.message);
    request.resume();
    return true;
  }
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  let isTooLarge = false;
  request.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    if (bodyBytes > ctx.maxHttpBodyBytes) isTooLarge = true;
    else chunks.push(chunk);
  });
  request.on('error', () => {});
  request.on('end', () => {
    if (isTooLarge) {
      countReject(ctx.counters, 'body-too-large');
      answer(response, 413, `The request body exceeds ${ctx.maxHttpBodyBytes} bytes.`);
      return;
    }
    const strippedQuery = stripRelayQuery(rawQuery);
    const random = ctx.shaperClock?.random ?? Math.random;
    // The request crossed the sender leg, after the handshakes of its connection when it is the
    // first on it (keep-alive requests reuse them); the control messages then pay the listener leg in their shaper.
    const handshakeMs = isFirstOnConnection(request) ? sampleTraversalsMs(ctx.delays.senderLeg, 2 * (ctx.delays.handshakeRoundTrips ?? 0), random) : 0;
    runAfter(handshakeMs + sampleOneWayMs(ctx.delays.senderLeg, random), () => dispatch(ctx, request, response, {
      hcName: resolved.hc.name,
      entityPath: path,
      requestTarget: `${rawPath}${strippedQuery === '' ? '' : `?${strippedQuery}`}`,
      headers: requestHeaders(request, isAuthorizationHeader && token !== undefined && resolved.hc.requiresClientAuthorization !== false, ctx.publicHost),
      body: Buffer.concat(chunks),
    }));
  });
  return true;
}

/** Sender connections that already carried a request (weakly held: a closed socket is forgotten). */
const connectionsSeen = new WeakSet<object>();

/** True for the first request on its TCP connection, which pays the connection's handshakes. */
function isFirstOnConnection(request: IncomingMessage): boolean {
  if (connectionsSeen.has(request.socket)) return false;
  connectionsSeen.add(request.socket);
  return true;
}

function dispatch(
  ctx: RelayContext,
  request: IncomingMessage,
  response: ServerResponse,
  parts: { hcName: string; entityPath: string; requestTarget: string; headers: Record<string, string>; body: Buffer },
): void {
  if (response.destroyed) return;
  const listener = ctx.listeners.pick(parts.hcName);
  if (listener === undefined) {
    countReject(ctx.counters, 'no-listener');
    answer(response, 502, 'There are no listeners connected for the endpoint.');
    return;
  }
  const id = randomUUID();
  const host = ctx.publicHost.includes(':') ? `[${ctx.publicHost}]` : ctx.publicHost;
  const address = `${ctx.scheme}://${host}:${ctx.advertisedPort ?? ctx.port}/$hc/${parts.entityPath}?sb-hc-action=request&sb-hc-id=${id}`;
  const hasBody = parts.body.length > 0;
  const command = {
    request: {
      address,
      id,
      requestTarget: parts.requestTarget,
      method: request.method ?? 'GET',
      remoteEndpoint: { address: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 },
      requestHeaders: parts.headers,
      body: hasBody,
    },
  };
  const commandText = JSON.stringify(command);
  const headerBytes = Buffer.byteLength(JSON.stringify(parts.headers));
  const isSmall = Buffer.byteLength(commandText) + parts.body.length <= controlChannelRequestLimitBytes && headerBytes <= controlChannelHeaderLimitBytes;
  const exchange: HttpExchange = {
    id,
    hcName: parts.hcName,
    response,
    rendezvousPayload: isSmall ? undefined : { command, body: hasBody ? parts.body : undefined },
    channel: undefined,
    timer: undefined,
  };
  ctx.httpExchanges.add(exchange);
  if (isSmall) {
    sendFrames(listener, hasBody ? [commandText, parts.body] : [commandText]);
  } else {
    ctx.counters.httpRendezvous += 1;
    // Rendezvous-only form: no `method` and no `body`, the listener must open `address`.
    sendCommand(listener, { request: { address, id } });
  }
}

/** The listener's `sb-hc-action=request` upgrade: a request rendezvous or a response channel. */
export function handleRequestRendezvous(ctx: RelayContext, request: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams, where: { trackingId: string; tracker: string }): void {
  const exchange = ctx.httpExchanges.get(query.get('sb-hc-id') ?? '');
  if (exchange === undefined || exchange.channel !== undefined) {
    refuse(ctx, socket, { status: 403, message: 'The rendezvous address is invalid, has expired or was already used.' }, 'rendezvous-invalid', where);
    return;
  }
  ctx.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
    exchange.channel = ws;
    ws.on('error', () => {});
    const reader = new ResponseReader(ctx.httpExchanges);
    socket.on('data', () => reader.onBytes());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        reader.onBinary(data);
        return;
      }
      try {
        const parsed = JSON.parse(data.toString()) as Record<string, unknown>;
        if (!reader.onResponse(parsed['response'])) ctx.counters.controlMessagesIgnored += 1;
      } catch {
        ctx.counters.controlMessagesIgnored += 1;
      }
    });
    const payload = exchange.rendezvousPayload;
    if (payload !== undefined) {
      const text = JSON.stringify(payload.command);
      ws.send(text);
      if (payload.body !== undefined) ws.send(payload.body, { binary: true });
    }
  });
}
