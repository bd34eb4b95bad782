// Typed access to the unmodified hyco-https 1.4.5 package (CommonJS, no types) for relay tests:
// a listener that resolves once registered and closes cleanly, and a plain HTTP sender. Test-only.

import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

/** The request hyco-https hands to the handler (a Readable with http-like fields). */
export interface HycoHttpsRequest extends Readable {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** The response hyco-https hands to the handler (http-like methods; only what tests use). */
export interface HycoHttpsResponse {
  statusCode: number;
  setHeader(name: string, value: string): void;
  writeHead(status: number, reason?: string, headers?: Record<string, string>): void;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string | Buffer): void;
}

interface HycoHttpsServer extends EventEmitter {
  listen(): void;
  close(callback?: (error: Error | null) => void): void;
}

interface HycoHttpsModule {
  createRelayedServer(
    options: { server: string; token: string | (() => string) },
    handler: (request: HycoHttpsRequest, response: HycoHttpsResponse) => void,
  ): HycoHttpsServer;
}

const require = createRequire(import.meta.url);
/** The hyco-https module exactly as published. */
export const hycoHttps = require('hyco-https') as HycoHttpsModule;

export interface HycoHttpsListener {
  close(): Promise<void>;
}

/** Starts a hyco-https listener and resolves once its control channel is open. */
export async function startHycoHttpsListener(
  listenUri: string,
  token: string | (() => string),
  handler: (request: HycoHttpsRequest, response: HycoHttpsResponse) => void,
): Promise<HycoHttpsListener> {
  const server = hycoHttps.createRelayedServer({ server: listenUri, token }, handler);
  let isClosed = false;
  const close = async (): Promise<void> => {
    if (isClosed) return;
    isClosed = true;
    const closed = new Promise((resolve) => server.once('close', resolve));
    server.close(() => {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  };
  server.on('error', () => {
    // hyco-https backs off by itself; a failed first listen rejects below.
  });
  const listening = once(server, 'listening');
  server.listen();
  await listening;
  return { close };
}

/** What an HTTP sender got back. */
export interface SenderReply {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one HTTP request (no keep-alive unless an agent is given) and collects the whole reply. */
export async function sendHttp(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: Agent } = {},
): Promise<SenderReply> {
  const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false, signal: AbortSignal.timeout(20_000) });
  request.end(options.body);
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode ?? 0, statusMessage: response.statusMessage ?? '', headers: response.headers, body: Buffer.concat(chunks) };
}
