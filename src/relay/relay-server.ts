// Starts, restarts and stops the relay emulator: one HTTP(S) server on 127.0.0.1:0 whose upgrades
// go to the WebSocket routes, plus stats, faults and connection strings. Never reads process.* or prints.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { formatConnectionString } from '../azure/connection-string.js';
import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import { PathSetupError } from '../errors.js';
import { createLatenessRecorder } from '../net/lateness.js';
import { createHandOffFloor } from '../net/hand-off-floor.js';
import { expireRendezvous } from './connect-route.js';
import type { RelayContext } from './context.js';
import { ListenerRegistry } from './control-channel.js';
import { sampleOneWayMs, type RelayDelays, type ShaperClock } from './delay.js';
import { handleFaultRequest } from './fault-routes.js';
import { answerClientError, applyFrontEndLimits, type FrontEndLimits, frontEndServerOptions } from './front-end.js';
import { createFaults, type RelayFaults } from './faults.js';
import { HttpExchangeTable } from './http-exchange.js';
import { handleSenderRequest } from './http-mode.js';
import { handleHttpRequest, statsPath } from './http-routes.js';
import { createRateLimitedLog, type RelayLogEvent } from './log.js';
import { findHybridConnection, type NamespaceConfig } from './namespace.js';
import { RendezvousTable } from './rendezvous.js';
import { countReject, createRelayCounters, snapshotStats, type RelayStats } from './stats.js';
import { startExpirySweep, type TokenExpiryOptions } from './token-expiry.js';
import { routeUpgrade } from './upgrade-routes.js';

export type { RelayStats } from './stats.js';
export type { RelayLogEvent } from './log.js';
export type { RelayDelays } from './delay.js';
export type { RelayFaults } from './faults.js';
export type { FrontEndLimits } from './front-end.js';

/** PEM certificate chain and key for `wss://`; see tls.ts for a generated CA. */
export interface RelayTlsOptions {
  certPem: string;
  keyPem: string;
}

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
  /** Largest WebSocket message accepted on any hop, in bytes; larger ones close that hop with 1009. Default 64 MiB. */
  maxMessageBytes?: number;
  /** Wall clock in ms for token expiry checks. Default `Date.now`. */
  nowMs?: () => number;
  /** When listener control channels with expired tokens are closed (1008). Defaults: check every 60 s, 120 s grace. */
  tokenExpiry?: TokenExpiryOptions;
  /** Per-leg network distance (delay, jitter, bandwidth), applied per message in each direction. Default none. */
  delays?: RelayDelays;
  /** Clock and randomness of the delay shapers (tests). Default performance.now / Math.random. */
  shaperClock?: ShaperClock;
  /**
   * Bridged messages carry due times and each leg's delay is held by the process that receives it
   * (net/timed-socket.ts). Only for peers that speak it (hcbench's forwarder and agent with
   * `timedLeg`); plain hyco-ws peers would see an 8-byte prefix. Default false.
   */
  timedLegs?: boolean;
  /** Serve `wss://` with this certificate. Default plain `ws://`. */
  tls?: RelayTlsOptions;
  /** HTTP mode: how long a sender waits for the listener's response before 504, in ms. Default 60000. */
  httpResponseTimeoutMs?: number;
  /** HTTP mode: largest sender request body accepted, in bytes (413 above). Default 64 MiB. */
  maxHttpBodyBytes?: number;
  /** Held senders allowed at once; more get 503 (the service caps relayed connections per namespace at 5000). Default 5000. */
  maxPendingRendezvous?: number;
  /**
   * Concurrent relayed connections allowed in the namespace (bridged plus waiting for a listener),
   * Azure's documented quota; a connect beyond it is refused 403 QuotaExceeded. Default 5000.
   */
  maxConnections?: number;
  /** Serve `POST /$faults/<name>` on the relay port (see fault-routes.ts). Default false. */
  isFaultEndpointEnabled?: boolean;
  /** Headers timeout, idle timeout and per-address connection caps of the relay port (front-end.ts). */
  frontEnd?: FrontEndLimits;
  /**
   * Name and port clients are told to reach the relay by (accept and request addresses, `Via`,
   * trackers, an accepted token audience): the rehearsal's `<ns>.servicebus.windows.net` and 443,
   * mapped to the bound port with a resolve override. Default: the bound host and port.
   */
  advertise?: { host: string; port: number };
}

/** A running relay emulator. */
export interface RelayServer {
  /** `ws://127.0.0.1:<port>` (or wss:// with TLS). */
  url: string;
  host: string;
  port: number;
  /** `http(s)://127.0.0.1:<port>/$stats`: the counters as JSON. */
  statsUrl: string;
  /** A snapshot of the counters. */
  stats(): RelayStats;
  /**
   * `Endpoint=ws://127.0.0.1:<port>/;SharedAccessKeyName=..;SharedAccessKey=..;EntityPath=<hc>`, parseable by
   * parseConnectionString. Uses `ruleName` (entity rules first, then namespace rules), else
   * `RootManageSharedAccessKey`, else the first namespace rule. Throws PathSetupError if the hc or rule is unknown.
   */
  connectionString(hybridConnectionName: string, ruleName?: string): string;
  /** Fault injection switches. */
  faults: RelayFaults;
  /**
   * Replaces the legs' shapes. Applies to handshakes, HTTP requests and rendezvous that start
   * afterwards and to control channels registered afterwards; running bridges keep their shapes.
   */
  setDelays(delays: RelayDelays): void;
  /** Drops every socket and listens again on the same port after `downtimeMs` (default 0). Counters are kept. */
  restart(options?: { downtimeMs?: number }): Promise<void>;
  /** Closes every socket; resolves when the port is released. */
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch (cause) {
    throw new PathSetupError(`relay emulator could not listen on ${host}:${port}`, { cause });
  }
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
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
  const boundHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicHost = options.advertise?.host ?? boundHost;
  const urlHost = boundHost.includes(':') ? `[${boundHost}]` : boundHost;
  let ctx: RelayContext | undefined;
  const rendezvous = new RendezvousTable(options.rendezvousTimeoutMs ?? 30_000, (entry) => {
    if (ctx !== undefined) expireRendezvous(ctx, entry);
  });
  const log = createRateLimitedLog(options.log);
  const counters = createRelayCounters();
  const httpExchanges = new HttpExchangeTable(options.httpResponseTimeoutMs ?? 60_000, publicHost, {
    onTimeout: () => countReject(counters, 'http-timeout'),
    onComplete: () => (counters.httpResponses += 1),
    responseDelayMs: () => {
      const random = options.shaperClock?.random ?? Math.random;
      return sampleOneWayMs(ctx?.delays.listenerLeg, random) + sampleOneWayMs(ctx?.delays.senderLeg, random);
    },
  });
  const context: RelayContext = {
    namespace: options.namespace,
    scheme: options.tls === undefined ? 'ws' : 'wss',
    publicHost,
    port: 0,
    ...(options.advertise === undefined ? {} : { advertisedPort: options.advertise.port }),
    wss,
    listeners: new ListenerRegistry(),
    rendezvous,
    counters,
    bridges: new Map(),
    chosenProtocols,
    holdReleases: new WeakMap(),
    faults: { isRefusingListeners: false, isRefusingAccepts: false, acceptDelayMs: 0, disabledHcs: new Set() },
    httpExchanges,
    maxHttpBodyBytes: options.maxHttpBodyBytes ?? 64 * 1024 * 1024,
    maxPendingRendezvous: options.maxPendingRendezvous ?? DEFAULT_RELAY_LIMITS.connectionsPerNamespace,
    maxConnections: options.maxConnections ?? DEFAULT_RELAY_LIMITS.connectionsPerNamespace,
    delays: options.delays ?? {},
    shaperClock: options.shaperClock,
    timedLegs: options.timedLegs ?? false,
    lateness: createLatenessRecorder(),
    handOffFloors: { fromSender: createHandOffFloor(), fromListener: createHandOffFloor() },
    log,
    nowMs: options.nowMs ?? Date.now,
  };
  ctx = context;
  // Every configured hc shows up, with 0 until a listener registers.
  const configuredHcs = Object.fromEntries(options.namespace.hybridConnections.map((hc) => [hc.name, 0]));
  const stats = (): RelayStats => {
    const releaseLateness = context.lateness.snapshot();
    return {
      ...snapshotStats(context.counters, {
        listenersByHc: { ...configuredHcs, ...context.listeners.counts() },
        rendezvousPending: rendezvous.size,
        httpPending: httpExchanges.size,
      }),
      ...(releaseLateness === undefined ? {} : { releaseLateness }),
    };
  };
  const sockets = new Set<Socket>();
  const serverOptions = frontEndServerOptions(options.frontEnd ?? {});
  const server: Server =
    options.tls === undefined
      ? createServer(serverOptions)
      : (createHttpsServer({ ...serverOptions, cert: options.tls.certPem, key: options.tls.keyPem }) as unknown as Server);
  applyFrontEndLimits(server, options.frontEnd ?? {}, options.httpResponseTimeoutMs ?? 60_000, (reason) => countReject(counters, reason));
  // Late-bound: the fault endpoint needs the RelayServer built below.
  let onFaultRequest: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  server.on('request', (request, response) =>
    handleHttpRequest(request, response, {
      stats,
      onSenderRequest: (req, res) => handleSenderRequest(context, req, res),
      ...(onFaultRequest === undefined ? {} : { onFaultRequest }),
    }),
  );
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => routeUpgrade(context, request, socket, head));
  server.on('clientError', answerClientError);
  // For https, 'connection' is the raw TCP socket: destroying it also ends any TLS session on it.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  context.port = await listen(server, options.port ?? 0, host);
  const sweep = startExpirySweep(context.listeners, context.nowMs, log, () => (context.counters.listenersExpired += 1), options.tokenExpiry);
  const scheme = options.tls === undefined ? 'ws' : 'wss';
  const url = `${scheme}://${urlHost}:${context.port}`;

  const dropEverything = async (): Promise<void> => {
    httpExchanges.failAll(503, 'The relay is restarting or shutting down.');
    for (const entry of rendezvous.drain()) entry.socket.destroy();
    const closed = once(server, 'close');
    server.close();
    for (const ws of wss.clients) ws.terminate();
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  let closing: Promise<void> | undefined;
  const relayServer: RelayServer = {
    url,
    host: boundHost,
    port: context.port,
    statsUrl: `${options.tls === undefined ? 'http' : 'https'}://${urlHost}:${context.port}${statsPath}`,
    stats,
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
    faults: createFaults(context, sweep),
    setDelays(delays) {
      context.delays = { ...delays };
      log({ level: 'info', event: 'delays-changed', message: JSON.stringify(delays) });
    },
    async restart(restartOptions = {}) {
      if (closing !== undefined) throw new PathSetupError('relay emulator is closed and cannot restart');
      log({ level: 'warn', event: 'restart', message: `downtime ${restartOptions.downtimeMs ?? 0} ms` });
      await dropEverything();
      if ((restartOptions.downtimeMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, restartOptions.downtimeMs));
      await listen(server, context.port, host);
    },
    close() {
      closing ??= (async () => {
        sweep.stop();
        await dropEverything();
        wss.close();
      })();
      return closing;
    },
  };
  if (options.isFaultEndpointEnabled === true) {
    onFaultRequest = (request, response) =>
      handleFaultRequest(request, response, relayServer.faults, (downtimeMs) => {
        relayServer.restart({ downtimeMs }).catch((error: unknown) => log({ level: 'error', event: 'restart-failed', message: String(error) }));
      });
  }
  return relayServer;
}
