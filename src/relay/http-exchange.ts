// HTTP mode, listener side: pending request/response exchanges, reading `response` commands and
// their body message from a control channel or a request rendezvous socket, and answering the
// HTTP sender. Does not parse sender requests (http-mode.ts) or route upgrades.

import type { ServerResponse } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { runAfter } from './delay.js';

/** One sender request waiting for the listener's response. */
export interface HttpExchange {
  id: string;
  hcName: string;
  /** The HTTP sender's response object. */
  response: ServerResponse;
  /** Full `request` command and body, sent on the rendezvous socket when the request is too large for the control channel. */
  rendezvousPayload: { command: object; body: Buffer | undefined } | undefined;
  /** The listener's request/response rendezvous socket, once it opened one. */
  channel: WebSocket | undefined;
  timer: NodeJS.Timeout | undefined;
  /**
   * What the deadline waits for: the listener's `response` command (the whole timeout), then, once
   * it came with a body to follow, progress of that body (it may not stall for the timeout).
   */
  awaiting?: 'response' | 'body';
  /** When the body last made progress (bytes on the socket carrying it), ms on the table's clock. */
  lastProgressMs?: number;
}

/** The status line and headers of a `response` command whose body message is still to come. */
interface ResponseHead {
  statusCode: number;
  statusDescription: string | undefined;
  headers: Record<string, string>;
}

/** Response headers the relay never copies to the sender (it frames the response itself). */
const hopByHopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'te', 'trailer', 'upgrade', 'proxy-connection', 'close']);

function sanitizeReason(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 512);
}

/**
 * Pending exchanges by id, with the 504 deadline. As in the service, the deadline is on the
 * listener's `response` command, and then on stalls of its body (no bytes for the same time), not
 * on the whole exchange: a listener may stream a large response for longer than the timeout.
 */
export class HttpExchangeTable {
  private readonly pending = new Map<string, HttpExchange>();
  private readonly nowMs: () => number = () => performance.now();

  constructor(
    private readonly responseTimeoutMs: number,
    private readonly viaHost: string,
    private readonly hooks: {
      onTimeout: () => void;
      onComplete: () => void;
      /** Latency in ms a listener response pays before the sender sees it (listener leg up + sender leg down). */
      responseDelayMs?: () => number;
    },
  ) {}

  get size(): number {
    return this.pending.size;
  }

  add(exchange: HttpExchange): void {
    exchange.awaiting = 'response';
    this.arm(exchange, this.responseTimeoutMs);
    this.pending.set(exchange.id, exchange);
    // A sender that goes away abandons the exchange.
    exchange.response.once('close', () => this.drop(exchange));
  }

  /** Starts (or re-arms) the exchange's deadline `delayMs` from now. */
  private arm(exchange: HttpExchange, delayMs: number): void {
    if (exchange.timer !== undefined) clearTimeout(exchange.timer);
    exchange.timer = setTimeout(() => this.onDeadline(exchange), Math.max(1, delayMs));
    exchange.timer.unref();
  }

  private onDeadline(exchange: HttpExchange): void {
    if (this.pending.get(exchange.id) !== exchange) return;
    if (exchange.awaiting === 'body') {
      // Progress moved the deadline on (lazily, so a byte costs no timer call): wait out the rest.
      const stalledMs = this.nowMs() - (exchange.lastProgressMs ?? 0);
      if (stalledMs < this.responseTimeoutMs) return this.arm(exchange, this.responseTimeoutMs - stalledMs);
      this.hooks.onTimeout();
      this.fail(exchange, 504, 'The listener response body made no progress within the allowed time.');
      return;
    }
    this.hooks.onTimeout();
    this.fail(exchange, 504, 'The listener did not respond within the allowed time.');
  }

  /** The listener's `response` command came and its body follows: the deadline is on the body's stalls from now on. */
  bodyStarted(exchange: HttpExchange): void {
    if (this.pending.get(exchange.id) !== exchange) return;
    exchange.awaiting = 'body';
    exchange.lastProgressMs = this.nowMs();
    this.arm(exchange, this.responseTimeoutMs);
  }

  /** Bytes arrived on the socket carrying the exchange's body. */
  progressed(exchange: HttpExchange): void {
    exchange.lastProgressMs = this.nowMs();
  }

  get(id: string): HttpExchange | undefined {
    return this.pending.get(id);
  }

  /** Removes the exchange and closes its rendezvous socket, if any. */
  drop(exchange: HttpExchange): void {
    if (this.pending.get(exchange.id) === exchange) this.pending.delete(exchange.id);
    if (exchange.timer !== undefined) clearTimeout(exchange.timer);
    const channel = exchange.channel;
    if (channel !== undefined && channel.readyState === channel.OPEN) channel.close(1000, 'Response complete.');
  }

  /** A service-generated error: no `Via` header (that is how senders tell it from a listener's answer). */
  fail(exchange: HttpExchange, status: number, message: string): void {
    this.drop(exchange);
    const { response } = exchange;
    if (response.headersSent || response.destroyed) return;
    response.writeHead(status, sanitizeReason(message), { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message) });
    response.end(message);
  }

  /** Answers the sender with the listener's status, headers (minus hop-by-hop, plus Via) and body. */
  complete(exchange: HttpExchange, head: ResponseHead, body: Buffer): void {
    this.drop(exchange);
    const { response } = exchange;
    if (response.headersSent || response.destroyed) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(head.headers)) {
      if (!hopByHopHeaders.has(name.toLowerCase()) && name.toLowerCase() !== 'via') headers[name] = value;
    }
    const listenerVia = Object.entries(head.headers).find(([name]) => name.toLowerCase() === 'via')?.[1];
    headers['Via'] = listenerVia === undefined ? `1.1 ${this.viaHost}` : `${listenerVia}, 1.1 ${this.viaHost}`;
    const isBodyless = head.statusCode === 204 || head.statusCode === 304 || (head.statusCode >= 100 && head.statusCode < 200);
    if (!isBodyless) headers['Content-Length'] = String(body.length);
    this.hooks.onComplete();
    runAfter(this.hooks.responseDelayMs?.() ?? 0, () => {
      if (response.headersSent || response.destroyed) return;
      try {
        response.writeHead(head.statusCode, sanitizeReason(head.statusDescription), headers);
        response.end(isBodyless ? undefined : body);
      } catch {
        // Invalid header values from the listener: the service answers 502 rather than crashing.
        if (!response.headersSent) this.fail(exchange, 502, 'The listener sent an invalid response.');
        else response.destroy();
      }
    });
  }

  /** Fails every pending exchange (shutdown). */
  failAll(status: number, message: string): void {
    for (const exchange of [...this.pending.values()]) this.fail(exchange, status, message);
  }
}

function parseResponseHead(value: unknown): { requestId: string; head: ResponseHead; hasBody: boolean } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const statusCode = Number(fields['statusCode']);
  if (typeof fields['requestId'] !== 'string' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const headers: Record<string, string> = {};
  const rawHeaders = fields['responseHeaders'];
  if (typeof rawHeaders === 'object' && rawHeaders !== null) {
    for (const [name, headerValue] of Object.entries(rawHeaders)) {
      if (headerValue !== undefined && headerValue !== null) headers[name] = String(headerValue);
    }
  }
  const description = fields['statusDescription'];
  return {
    requestId: fields['requestId'],
    head: { statusCode, statusDescription: typeof description === 'string' ? description : undefined, headers },
    hasBody: fields['body'] === true,
  };
}

/**
 * Reads `response` commands and their body messages from one socket (a control channel or a
 * request rendezvous). The body is the next binary message after a `body:true` response; stray
 * binary messages (hyco-https sends an empty one after `body:false`) are ignored.
 */
export class ResponseReader {
  private awaiting: { exchange: HttpExchange; head: ResponseHead } | undefined;

  constructor(private readonly table: HttpExchangeTable) {}

  /** Handles a parsed `response` command. Returns false when it names no pending exchange. */
  onResponse(value: unknown): boolean {
    const parsed = parseResponseHead(value);
    const exchange = parsed === undefined ? undefined : this.table.get(parsed.requestId);
    if (parsed === undefined || exchange === undefined) return false;
    if (parsed.hasBody) {
      this.awaiting = { exchange, head: parsed.head };
      this.table.bodyStarted(exchange);
    } else {
      this.table.complete(exchange, parsed.head, Buffer.alloc(0));
    }
    return true;
  }

  /**
   * Bytes arrived on this reader's socket. A body written as many small writes is one message of
   * many frames, which ws delivers only whole: the bytes are how its progress shows.
   */
  onBytes(): void {
    if (this.awaiting !== undefined) this.table.progressed(this.awaiting.exchange);
  }

  /** Handles a binary message. Returns false when no body was expected (the message is ignored). */
  onBinary(data: RawData): boolean {
    const awaiting = this.awaiting;
    if (awaiting === undefined) return false;
    this.awaiting = undefined;
    const body = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    this.table.complete(awaiting.exchange, awaiting.head, body);
    return true;
  }
}
