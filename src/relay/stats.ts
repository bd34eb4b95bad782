// Counters of the relay emulator and their read-only snapshot (RelayStats).
// Plain mutable record owned by one relay instance; it must not do I/O.

import type { HistogramRecord } from '../metrics/result.js';

/** Message and byte counts of one direction of the bridged traffic. */
export interface DirectionStats {
  /** WebSocket data messages forwarded (text and binary). */
  messages: number;
  /** Payload bytes forwarded (frame headers excluded). */
  bytes: number;
}

/** Why the relay refused something; the keys of `RelayStats.rejects`. */
export type RejectReason =
  | 'not-found'
  | 'no-listener'
  | 'unauthorized'
  | 'forbidden'
  | 'bad-request'
  | 'listener-limit'
  | 'connection-quota'
  | 'rendezvous-timeout'
  | 'rendezvous-invalid'
  | 'listener-rejected'
  | 'sender-gone'
  | 'listeners-refused'
  | 'accepts-refused'
  | 'http-timeout'
  | 'body-too-large'
  | 'rendezvous-quota'
  | 'address-cap';

/** The counts the relay keeps and reports as they are (all since start, except the `bridgesActive` gauge). */
export interface RelayCounts {
  /** Sender upgrades received on `sb-hc-action=connect` (including refused ones). */
  connectRequests: number;
  /** Rendezvous where both the listener and the sender got their 101. */
  rendezvousCompleted: number;
  /** Bridges currently relaying (gauge). */
  bridgesActive: number;
  /** Bridges ever opened. */
  bridgesTotal: number;
  senderToListener: DirectionStats;
  listenerToSender: DirectionStats;
  /** Successful listener registrations (control channels opened) since start. */
  listenersTotal: number;
  /** Control-channel messages that were ignored (non-JSON, binary, unknown command). */
  controlMessagesIgnored: number;
  /** Accepted `renewToken` commands. */
  tokenRenewals: number;
  /** Control channels closed with 1008 because their token expired (or the expire fault). */
  listenersExpired: number;
  /** HTTP-mode sender requests received (including refused ones). */
  httpRequests: number;
  /** HTTP-mode requests answered with the listener's response. */
  httpResponses: number;
  /** HTTP-mode requests sent over a rendezvous socket because they exceeded the control-channel limit. */
  httpRendezvous: number;
}

/** The mutable counters behind {@link RelayStats}: the counts, and refusals by reason. */
export interface RelayCounters extends RelayCounts {
  rejects: Map<RejectReason, number>;
}

/** A snapshot of the relay's counters; all counts since start, except the `*Active`/`*Pending`/`listenersByHc` gauges. */
export interface RelayStats extends RelayCounts {
  /** Timed legs only: how late the bridges released held messages after their due time, µs per traversal. */
  releaseLateness?: HistogramRecord;
  /** Open control channels per hybrid connection name (gauge). */
  listenersByHc: Record<string, number>;
  /** Refusals by reason, e.g. `no-listener`, `unauthorized`, `forbidden`, `not-found`, `rendezvous-timeout`. */
  rejects: Record<string, number>;
  /** Held senders waiting for their listener to open the accept address (gauge). */
  rendezvousPending: number;
  /** HTTP-mode requests waiting for their response (gauge). */
  httpPending: number;
}

/** Fresh counters, all zero (in the order the snapshot lists them). */
export function createRelayCounters(): RelayCounters {
  return {
    connectRequests: 0,
    rendezvousCompleted: 0,
    bridgesActive: 0,
    bridgesTotal: 0,
    senderToListener: { messages: 0, bytes: 0 },
    listenerToSender: { messages: 0, bytes: 0 },
    rejects: new Map(),
    listenersTotal: 0,
    controlMessagesIgnored: 0,
    tokenRenewals: 0,
    listenersExpired: 0,
    httpRequests: 0,
    httpResponses: 0,
    httpRendezvous: 0,
  };
}

/** Counts one refusal of `reason`. */
export function countReject(counters: RelayCounters, reason: RejectReason): void {
  counters.rejects.set(reason, (counters.rejects.get(reason) ?? 0) + 1);
}

/** Copies the counters into a plain, serialisable snapshot. */
export function snapshotStats(
  counters: RelayCounters,
  gauges: { listenersByHc: Record<string, number>; rendezvousPending: number; httpPending: number },
): RelayStats {
  return {
    listenersByHc: { ...gauges.listenersByHc },
    rendezvousPending: gauges.rendezvousPending,
    httpPending: gauges.httpPending,
    ...counters,
    senderToListener: { ...counters.senderToListener },
    listenerToSender: { ...counters.listenerToSender },
    rejects: Object.fromEntries(counters.rejects),
  };
}
