// Built-in HTTP/1.1 target: answers every request with a fixed status and a body of zeros of
// the configured size, after reading the request body. It counts what it saw; it never measures.

import http from 'node:http';
import { once } from 'node:events';
import type net from 'node:net';

/** Options; defaults: host '127.0.0.1', port 0, responseBytes 2, statusCode 200. */
export interface HttpTargetOptions {
  host?: string;
  port?: number;
  /** Body bytes per response (zeros). >= 0. */
  responseBytes?: number;
  /** Status code of every response. */
  statusCode?: number;
}

/** Counters since start. Byte counts are body bytes (headers excluded). */
export interface HttpTargetStats {
  connectionsAccepted: number;
  requests: number;
  requestBodyBytes: number;
  responseBodyBytes: number;
}

export interface HttpTarget {
  address: { host: string; port: number };
  stats(): HttpTargetStats;
  /** Destroys open connections and resolves once the port is released. */
  close(): Promise<void>;
}

/** Starts the HTTP target and resolves once it is listening. */
export async function startHttpTarget(options: HttpTargetOptions = {}): Promise<HttpTarget> {
  const host = options.host ?? '127.0.0.1';
  const body = Buffer.alloc(options.responseBytes ?? 2);
  const statusCode = options.statusCode ?? 200;
  const stats: HttpTargetStats = { connectionsAccepted: 0, requests: 0, requestBodyBytes: 0, responseBodyBytes: 0 };
  const server = http.createServer({ keepAlive: true, noDelay: true }, (request, response) => {
    request.on('data', (chunk: Buffer) => (stats.requestBodyBytes += chunk.length));
    request.on('end', () => {
      stats.requests += 1;
      stats.responseBodyBytes += body.length;
      response.writeHead(statusCode, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      response.end(body);
    });
  });
  server.on('connection', (socket: net.Socket) => {
    stats.connectionsAccepted += 1;
    socket.on('error', () => undefined);
  });
  server.listen({ host, port: options.port ?? 0 });
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host, port },
    stats: () => ({ ...stats }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
