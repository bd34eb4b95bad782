// Starts and stops the relay emulator: one HTTP server on 127.0.0.1:0 whose WebSocket upgrades go
// to the routes, plus stats and connection strings. Never reads process.* or prints.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { formatConnectionString } from '../azure/connection-string.js';
import { PathSetupError } from '../errors.js';
import type { Bridge } from './bridge.js';
import { ListenerRegistry } from './control-channel.js';
import { createRateLimitedLog, type RelayLogEvent } from './log.js';
import { findHybridConnection, type NamespaceConfig } from './namespace.js';
import { RendezvousTable, type PendingRendezvous } from './rendezvous.js';
import { createRelayCounters, snapshotStats, type RelayStats } from './stats.js';
import { expireRendezvous, routeUpgrade, type RelayContext } from './upgrade-routes.js';

export type { RelayStats } from './stats.js';
export type { RelayLogEvent } from './log.js';

/** Options of {@link startRelay}. */
export interface RelayOptions {
  namespace: NamespaceConfig;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port to bind; 0 picks a free one (read it back from `RelayServer.port`). Default 0. */
  port?: number;
  /** How long a held sender waits for the listener to open the accept address, in ms. Default 30000. */
  rendezvousTimeoutMs?: number;
  /** Structured log sink; repeats are rate-limited (5 per kind per second). Default: no logging. */
  log?: (event: RelayLogEvent) => void;
  /** Largest WebSocket message accepted on any hop, in bytes; larger ones close with 1009. Default 64 MiB. */
  maxMessageBytes?: number;
  /** Wall clock in ms for token expiry checks. Default `Date.now`. */
  nowMs?: () => number;
}

/** A running relay emulator. */
export interface RelayServer {
  /** `ws://127.0.0.1:<port>` (or wss:// with TLS). */
  url: string;
  host: string;
  port: number;
  /** A snapshot of the counters. */
  stats(): RelayStats;
  /**
   * `Endpoint=ws://127.0.0.1:<port>/;SharedAccessKeyName=..;SharedAccessKey=..;EntityPath=<hc>`, parseable by
   * parseConnectionString. Uses `ruleName` (entity rules first, then namespace rules), else
   * `RootManageSharedAccessKey`, else the first namespace rule. Throws PathSetupError if the hc or rule is unknown.
   */
  connectionString(hybridConnectionName: string, ruleName?: string): string;
  /** Closes every socket; resolves when the port is released. */
  close(): Promise<void>;
}

/** Starts the emulator; resolves once it listens. Rejects with PathSetupError if it cannot bind. */
export async function startRelay(options: RelayOptions): Promise<RelayServer> {
  const host = options.host ?? '127.0.0.1';
  const chosenProtocols = new WeakMap<IncomingMessage, string | false>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: true,
    maxPayload: options.maxMessageBytes ?? 64 * 1024 * 1024,
    // Listener accept hops offer exactly the protocol they chose; held senders get the listener's choice.
    handleProtocols: (protocols, request) => chosenProtocols.get(request) ?? [...protocols][0] ?? false,
  });
  const server: Server = createServer((_request, response) => {
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Endpoint does not exist.');
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let ctx: RelayContext | undefined;
  const onExpire = (entry: PendingRendezvous): void => {
    if (ctx !== undefined) expireRendezvous(ctx, entry);
  };
  const rendezvous = new RendezvousTable(options.rendezvousTimeoutMs ?? 30_000, onExpire);
  server.listen(options.port ?? 0, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch (cause) {
    throw new PathSetupError(`relay emulator could not listen on ${host}:${options.port ?? 0}`, { cause });
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const urlHost = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
  const bridges = new Set<Bridge>();
  const context: RelayContext = {
    namespace: options.namespace,
    scheme: 'ws',
    publicHost,
    port,
    wss,
    listeners: new ListenerRegistry(),
    rendezvous,
    counters: createRelayCounters(),
    bridges,
    chosenProtocols,
    holdReleases: new WeakMap(),
    log: createRateLimitedLog(options.log),
    nowMs: options.nowMs ?? Date.now,
  };
  ctx = context;
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => routeUpgrade(context, request, socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  const url = `ws://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host: publicHost,
    port,
    stats: () => snapshotStats(context.counters, context.listeners.counts()),
    connectionString(hybridConnectionName, ruleName) {
      const hc = findHybridConnection(options.namespace, hybridConnectionName);
      if (hc === undefined) throw new PathSetupError(`relay emulator has no hybrid connection '${hybridConnectionName}'`);
      const rules = [...(hc.rules ?? []), ...options.namespace.rules];
      const rule =
        ruleName === undefined
          ? (rules.find((candidate) => candidate.name === 'RootManageSharedAccessKey') ?? options.namespace.rules[0])
          : rules.find((candidate) => candidate.name === ruleName);
      if (rule === undefined) throw new PathSetupError(`relay emulator has no shared access rule '${ruleName ?? 'RootManageSharedAccessKey'}'`);
      return formatConnectionString({ endpoint: `${url}/`, keyName: rule.name, key: rule.primaryKey, entityPath: hc.name });
    },
    close() {
      closing ??= (async () => {
        for (const entry of rendezvous.drain()) entry.socket.destroy();
        const closed = once(server, 'close');
        server.close();
        for (const ws of wss.clients) ws.terminate();
        for (const socket of sockets) socket.destroy();
        wss.close();
        await closed;
      })();
      return closing;
    },
  };
}
