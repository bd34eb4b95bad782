// Messages between the run orchestrator and its role processes over Node's IPC channel.
// Plain JSON; secrets (connection strings) travel only here, never to logs.

/**
 * The processes a run is made of, besides the orchestrator itself ("app": the load generator):
 * "cloud" (relay emulator), "onprem" (target, agents, delay shim) and "app-relay-client" (the
 * app-side forwarder of one relay path; in App Service the relay client is not inside the app
 * either, and its work must not show up as the generator's event-loop delay).
 */
export type RoleName = 'cloud' | 'onprem' | 'app-relay-client';

export interface RoleRequest {
  id: number;
  method: string;
  params?: unknown;
}

export type RoleMessage =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: string }
  | { type: 'log'; line: string };

/** One network leg as the roles receive it (see scenario/network-profiles.ts). */
export interface LegParams {
  oneWayDelayMs: number;
  jitterMs: number;
  bandwidthBytesPerSec: number;
}

/** `cloud.startRelay` params. */
export interface StartRelayParams {
  hybridConnectionName: string;
  /** App ↔ relay leg (the sender side). */
  senderLeg?: LegParams;
  /** Relay ↔ agent leg (the listener side). */
  listenerLeg?: LegParams;
  /** Round trips of its leg each new WebSocket pays before its upgrade (TCP + TLS); default 0. */
  handshakeRoundTrips?: number;
  /** Namespace quota of concurrent relayed connections; default 5000. */
  maxConnections?: number;
  /** Timed legs (net/timed-socket.ts): due times travel with messages, each receiver holds. Default false. */
  timedLegs?: boolean;
  /** Rehearsal: answer as this `<ns>.servicebus.windows.net` (TLS for it, port 443 advertised); legs are ignored. */
  rehearsalHost?: string;
}

/** `cloud.startRelay` result. The connection string carries a key: keep it off logs. */
export interface StartRelayResult {
  url: string;
  connectionString: string;
  /** Rehearsal only: portal-shaped strings per right, the name mapping and the CA the endpoints must trust. */
  rehearsal?: { host: string; listenConnectionString: string; sendConnectionString: string; resolve: string; caCertPem: string };
}

/** Name mapping and extra trust for an endpoint reaching a relay by name (rehearsals). */
export interface EndpointResolveParams {
  /** `host:port:address[:port]` mappings for every socket the endpoint's process opens. */
  resolve?: string[];
  /** A CA certificate (PEM) trusted besides the system's. */
  extraCaPem?: string;
}

/** `onprem.startTarget` params: which built-in target to start. */
export interface StartTargetParams {
  kind: 'tcp-request-response' | 'http';
  /** Body bytes of every response (http). */
  responseBytes?: number;
  /** tcp-request-response: injected service time per request, µs; 0 or absent = answer at once. */
  serviceTimeUs?: number;
  /** tcp-request-response: workers serving requests when serviceTimeUs > 0. */
  concurrency?: number;
}

/** `onprem.startTarget` result. */
export interface StartTargetResult {
  host: string;
  port: number;
}

/** `onprem.startAgent` params. */
export interface StartAgentParams extends EndpointResolveParams {
  /** Names this agent in `stopAgent` and `stats` (one per relay path). */
  agentId: string;
  connectionString: string;
  target: { host: string; port: number };
  /** WebSocket client library; default hyco-ws. */
  clientStack?: 'hyco-ws' | 'ws8';
  /** Give up after this many refused listens (default: keep retrying with backoff). */
  maxListenAttempts?: number;
  /** How long the start may take, ms (default 30 000). */
  startTimeoutMs?: number;
  /** Relay ↔ agent leg, held here (the relay runs with `timedLegs`). Default: plain hyco protocol. */
  timedLeg?: LegParams;
}

/** `onprem.startDelayProxy` params: the direct path's distance shim in front of the target. */
export interface StartDelayProxyParams {
  proxyId: string;
  target: { host: string; port: number };
  leg: LegParams;
  /** Round trips of the leg a new connection pays before the target sees it (1: TCP); default 0. */
  handshakeRoundTrips?: number;
}

/** `app-relay-client.startForwarder` params. The connection string carries a key: keep it off logs. */
export interface StartForwarderParams extends EndpointResolveParams {
  /** Names this forwarder in `stopForwarder` and `stats` (the relay path's id). */
  forwarderId: string;
  connectionString: string;
  /** WebSocket client library; default hyco-ws. */
  clientStack?: 'hyco-ws' | 'ws8';
  /** Timed leg: the forwarder holds relay→app messages until due (emulated relay with distance only). */
  timedLeg?: LegParams;
}

/** `app-relay-client.startForwarder` result: where the workload connects. */
export interface StartForwarderResult {
  host: string;
  port: number;
}
