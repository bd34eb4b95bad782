// The state one relay instance shares between its routes (namespace, registries, counters,
// faults, shapes), and the small helpers every route uses to refuse. No I/O of its own.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { LatenessRecorder } from '../net/lateness.js';
import type { HandOffFloor } from '../net/hand-off-floor.js';
import type { Bridge } from './bridge.js';
import type { ListenerRegistry } from './control-channel.js';
import type { RelayDelays, ShaperClock } from './delay.js';
import type { HttpExchangeTable } from './http-exchange.js';
import { refuseHandshake, serviceReason, type HandshakeRefusal } from './handshake-refusal.js';
import type { RelayLogSink } from './log.js';
import type { NamespaceConfig } from './namespace.js';
import type { PendingRendezvous, RendezvousTable } from './rendezvous.js';
import { countReject, type RejectReason, type RelayCounters } from './stats.js';

/** Switches the fault API flips; read by the routes on every handshake. */
export interface FaultState {
  /** New listen handshakes are refused (503) while true. */
  isRefusingListeners: boolean;
  /** Senders that found a listener are refused (404, as if no listener accepted) while true. */
  isRefusingAccepts: boolean;
  /** Extra wait before `accept` is sent to the listener, in ms. */
  acceptDelayMs: number;
  /** Hybrid connections that behave as deleted/disabled: 404 on every handshake. Configured names. */
  disabledHcs: Set<string>;
}

/** Everything the routes share; owned by one relay instance. */
export interface RelayContext {
  namespace: NamespaceConfig;
  /** `ws` or `wss`: the scheme of accept addresses. */
  scheme: 'ws' | 'wss';
  /** Host listeners use to reach the relay (accept addresses). */
  publicHost: string;
  port: number;
  /** Port written into accept/request addresses when it differs from the bound one (rehearsal). */
  advertisedPort?: number;
  wss: WebSocketServer;
  listeners: ListenerRegistry;
  rendezvous: RendezvousTable;
  counters: RelayCounters;
  /** Running bridges and the hybrid connection each belongs to. */
  bridges: Map<Bridge, string>;
  /** Subprotocol chosen by the listener, per held sender request (read by handleProtocols). */
  chosenProtocols: WeakMap<IncomingMessage, string | false>;
  /** Release hooks of held senders (detach their hold-time listeners). */
  holdReleases: WeakMap<PendingRendezvous, () => void>;
  faults: FaultState;
  /** HTTP-mode requests waiting for a listener's response. */
  httpExchanges: HttpExchangeTable;
  /** Largest HTTP sender body accepted, in bytes (413 above). */
  maxHttpBodyBytes: number;
  /** Held senders allowed at once (503 above), so a connect flood cannot grow memory without bound. */
  maxPendingRendezvous: number;
  /** Namespace quota of concurrent relayed connections (bridged + pending); 403 above. */
  maxConnections: number;
  delays: RelayDelays;
  shaperClock: ShaperClock | undefined;
  /** Bridges use timed legs (net/timed-socket.ts): peers stamp due times and hold what they receive. */
  timedLegs: boolean;
  /** Lateness of messages the timed bridges released, µs per traversal. */
  lateness: LatenessRecorder;
  /** Hand-off floors of the timed bridges, one per hop into the relay, shared by every bridge. */
  handOffFloors: { fromSender: HandOffFloor; fromListener: HandOffFloor };
  log: RelayLogSink;
  /** Wall clock in ms (token expiry). */
  nowMs: () => number;
}

/** Counts, logs and writes a refusal in the service's text format. */
export function refuse(
  ctx: RelayContext,
  socket: Duplex,
  refusal: HandshakeRefusal,
  reason: RejectReason,
  where: { trackingId: string; tracker: string; hc?: string },
): void {
  countReject(ctx.counters, reason);
  ctx.log({
    level: 'info',
    event: 'handshake-refused',
    code: refusal.status,
    message: `${reason}: ${refusal.message}`,
    ...(where.hc === undefined ? {} : { hc: where.hc }),
  });
  refuseHandshake(socket, refusal.status, serviceReason(refusal.message, where.trackingId, where.tracker, new Date(ctx.nowMs())));
}

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/** Hosts a token audience may name: the relay's host, the request's Host header, configured names. */
export function audienceHosts(ctx: RelayContext, request: IncomingMessage): string[] {
  const fromHeader = hostnameOf(request.headers.host);
  return [ctx.publicHost, ...(fromHeader === undefined ? [] : [fromHeader]), ...(ctx.namespace.audienceHosts ?? [])];
}
