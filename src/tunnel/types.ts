// Public data shapes of the tunnel endpoints (forwarder and agent): stats, log events, error kinds.
// Types only: no sockets, no clocks, no behaviour.

import type { HistogramRecord } from '../metrics/result.js';
import type { AgentSetupStamps, ForwarderSetupStamps } from '../metrics/setup-steps.js';
import type { TunnelTiming } from './hop-timing.js';

export type { TunnelTiming } from './hop-timing.js';

/**
 * Why one tunnelled connection failed or ended abnormally. Counted in `TunnelStats.errors`.
 * - `relay-404` / `relay-401` / `relay-403`: the relay refused the WebSocket handshake with that status
 *   (404 = no listener or unknown hybrid connection, 401 = bad token, 403 = missing right).
 * - `relay-other`: any other HTTP status on the handshake (5xx, 410, ...).
 * - `relay-unreachable`: no TCP/TLS connection to the relay (refused, DNS, certificate).
 * - `rendezvous-timeout`: the relayed WebSocket did not open within `setupTimeoutMs`.
 * - `target-unreachable`: the agent could not connect to the target (reported to the forwarder as close 4002).
 * - `reset-local`: the local TCP peer reset the connection (ECONNRESET, EPIPE).
 * - `reset-remote`: the far side went away abnormally (close code other than 1000/1005/4003, or 1006).
 * - `idle-timeout`: no byte in either direction for `idleTimeoutMs`.
 * - `relay-closed`: the relayed WebSocket failed after it was open (protocol or socket error).
 * - `connection-limit`: the endpoint already had `maxConnections` live connections; the new one was closed at once
 *   (on the forwarder also when the agent refused it so, close 4004).
 * - `other`: anything else (kept so nothing is silently lost).
 */
export type TunnelErrorKind =
  | 'relay-404'
  | 'relay-401'
  | 'relay-403'
  | 'relay-other'
  | 'relay-unreachable'
  | 'rendezvous-timeout'
  | 'target-unreachable'
  | 'reset-local'
  | 'reset-remote'
  | 'idle-timeout'
  | 'relay-closed'
  | 'connection-limit'
  | 'other';

/** Counters of one tunnel endpoint since it started. All byte counts are TCP payload bytes. */
export interface TunnelStats {
  /** Connections taken on: local TCP accepts (forwarder) or relayed WebSockets accepted (agent). */
  connectionsAccepted: number;
  /** Connections currently being pumped or set up. */
  connectionsActive: number;
  /** Connections that ended with an error (each counted once, by its first error kind). */
  connectionsFailed: number;
  /** Errors by {@link TunnelErrorKind}; kinds that did not occur are absent. */
  errors: Record<string, number>;
  /** Bytes read from TCP and sent to the relay (as WebSocket binary message payload). */
  bytesToRelay: number;
  /** Bytes received from the relay and written to TCP. */
  bytesFromRelay: number;
  /** WebSocket messages sent to the relay (one per TCP read). */
  messagesToRelay: number;
  /** WebSocket messages received from the relay. */
  messagesFromRelay: number;
  /** Times a TCP socket was paused because the WebSocket had too many unflushed bytes. */
  tcpReadPauses: number;
  /** Times a WebSocket was paused because the TCP socket's write buffer was full. */
  relayReadPauses: number;
  /** Per-hop and setup timing histograms (integer µs); present on forwarder and agent stats. */
  timing?: TunnelTiming;
  /** Timed legs only: how late held messages were released after their due time, µs per traversal. */
  releaseLateness?: HistogramRecord;
}

/** Forwarder counters: tunnel counters plus sender tokens. */
export interface ForwarderStats extends TunnelStats {
  /** Sender tokens signed (one at start, then one per refresh interval while connections are opened). */
  tokensSigned: number;
  /** Setup stamps of the most recent connections that got a first byte back (join them with the agent's). */
  setupStamps: ForwarderSetupStamps[];
}

/** Lifecycle of an agent's registration with the relay (its control channel). */
export type AgentStatus = 'connecting' | 'listening' | 'reconnecting' | 'failed' | 'closed';

/** Agent counters: tunnel counters plus target connections and the control-channel status. */
export interface AgentStats extends TunnelStats {
  /** TCP connections to the target that completed their connect. */
  targetConnectionsOpened: number;
  status: AgentStatus;
  /** Control-channel registrations that succeeded (1 = never reconnected). */
  listenCount: number;
  /** Failed listen attempts (each followed by a backoff delay). */
  listenFailures: number;
  /** Failed listen attempts by {@link TunnelErrorKind} (`relay-401`, `relay-unreachable`, ...). */
  listenErrors: Record<string, number>;
  /** `renewToken` commands the agent sent (not counting hyco-ws's own hourly ones). */
  tokenRenewalsSent: number;
  /** Setup stamps of the most recent connections whose WebSocket opened and target connected. */
  setupStamps: AgentSetupStamps[];
}

/**
 * One structured log event. Library code never prints; the CLI decides how to render these.
 * Messages never contain keys or tokens (they pass through `redactSecrets`).
 */
export interface TunnelLogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** Stable event name, e.g. `agent-status`, `connection-error`. */
  event: string;
  message: string;
  /** Optional structured details (numbers and short strings only). */
  data?: Record<string, string | number | boolean>;
}

/** Receives log events. Must not throw. */
export type TunnelLog = (event: TunnelLogEvent) => void;
