// The agent's connection limit: a relayed connection offered while the agent already holds as many
// as fit its open-file limit (two descriptors each: relay socket and target) is refused before its
// target is dialled, so a burst cannot take the agent to EMFILE. hyco-ws has opened the rendezvous
// WebSocket before the agent sees it, so a refusal closes it once open (4004, counted by the
// forwarder as `connection-limit`) rather than terminating it while connecting, which would leave
// the sender waiting out the relay's rendezvous timeout. A refusal holds its socket until then, so
// refusals count against the limit too; past it they are discarded outright (a ws 1.1.5 handshake
// cannot be stopped, so those go the moment they open: message-socket.ts, discardWebSocket).
// Before any of that, the relay's accept commands are delivered only while the connections'
// descriptors are within the limit (accept-gate.ts), so refusals stay few and EMFILE does not occur.

import { type AcceptGate, type GatedChannel, createAcceptGate } from './accept-gate.js';
import { CLOSE_CONNECTION_LIMIT } from './close-codes.js';
import type { ConnectionTracker } from './connection-tracker.js';
import type { HycoWebSocket } from './hyco-ws-client.js';
import { WS_CONNECTING, discardWebSocket } from '../net/message-socket.js';
import { connectionsWithinFdLimit, openFileLimit } from './fd-limit.js';
import type { TunnelLog } from './types.js';

/** Longest wait for a refused connection's close handshake before its socket is destroyed, in milliseconds. */
const REFUSAL_CLOSE_TIMEOUT_MS = 2000;
/** Rendezvous sockets the accept gate allows beyond two per connection at the limit: refusals of a full agent go out at once. */
const REFUSAL_HEADROOM = 16;

/** The agent's connection limit: its handler of relayed connections, and the gate on its control channels. */
export interface ConnectionLimit {
  /** Hands `relayed` to the agent's handler, or refuses it when the agent is full. */
  onRelayed(relayed: HycoWebSocket): void;
  /** Delivers `channel`'s accept commands through the gate (once per channel; none without a limit). */
  attach(channel: unknown): void;
  /** A target socket closed (a connection ended): waiting accepts may go on. */
  changed(): void;
  /** Closing: reads the control channel again whatever waits. */
  stop(): void;
}

/**
 * Wraps the agent's handler of relayed connections: past `maxConnections` live ones (default: what
 * fits the open-file limit, fd-limit.ts; no cap when unknown) a connection is refused and counted as
 * `connection-limit` instead of reaching `onRelayed`; accepts are delivered only while rendezvous and
 * target sockets fit two per connection (accept-gate.ts).
 */
export function withConnectionLimit(
  tracker: ConnectionTracker,
  maxConnections: number | undefined,
  log: TunnelLog,
  onRelayed: (relayed: HycoWebSocket) => void,
): ConnectionLimit {
  const limit = maxConnections ?? connectionsWithinFdLimit(openFileLimit()) ?? Infinity;
  const refusals = createRefusals(tracker, limit, log);
  const gate: AcceptGate | undefined = limit === Infinity ? undefined : createAcceptGate({ budget: 2 * limit + REFUSAL_HEADROOM, targets: () => tracker.activeCount() });
  let isOutOfFdsLogged = false;
  return {
    onRelayed(relayed) {
      const release = gate?.opened();
      if (release !== undefined) {
        relayed.on('close', release);
        relayed.on('error', release);
      }
      relayed.on('error', (error: unknown) => {
        // Otherwise silent for a refused connection, whose sender the relay then never connects.
        const code = (error as { code?: unknown } | null)?.code;
        if ((code !== 'EMFILE' && code !== 'ENFILE') || isOutOfFdsLogged) return;
        isOutOfFdsLogged = true;
        log({ level: 'warn', event: 'connection-error', message: `relayed connection failed: out of file descriptors (${String(code)})`, data: { kind: 'other' } });
      });
      if (!refusals.refuseIfFull(relayed)) onRelayed(relayed);
    },
    attach(channel) {
      if (channel !== undefined && channel !== null) gate?.attach(channel as GatedChannel);
    },
    changed: () => gate?.changed(),
    stop: () => gate?.stop(),
  };
}

function createRefusals(tracker: ConnectionTracker, maxConnections: number, log: TunnelLog): { refuseIfFull(relayed: HycoWebSocket): boolean } {
  /** Refused relayed connections whose WebSocket is not closed yet. */
  let refusing = 0;
  return {
    /** True when `relayed` was refused (counted as `connection-limit`); the caller must not use it then. */
    refuseIfFull(relayed) {
      if (tracker.activeCount() + refusing < maxConnections) return false;
      tracker.enter(() => {}).settle('connection-limit');
      log({ level: 'debug', event: 'connection-error', message: `relayed connection refused at the connection limit (${maxConnections})`, data: { kind: 'connection-limit' } });
      relayed.on('error', () => {});
      if (refusing >= maxConnections || relayed.readyState !== WS_CONNECTING) {
        discardWebSocket(relayed);
        return true;
      }
      refusing += 1;
      let isRefusing = true;
      // ws 1.1.5 may drop its listeners after an 'error' without a 'close': either ends the refusal.
      const refused = (): void => {
        if (isRefusing) refusing -= 1;
        isRefusing = false;
      };
      relayed.on('close', refused);
      relayed.on('error', refused);
      relayed.on('open', () => {
        relayed.close(CLOSE_CONNECTION_LIMIT, 'connection limit');
        // ws 1.1.5 waits up to 30 s for the relay to end the socket after the close handshake.
        const stuck = setTimeout(() => discardWebSocket(relayed), REFUSAL_CLOSE_TIMEOUT_MS);
        relayed.on('close', () => clearTimeout(stuck));
      });
      return true;
    },
  };
}
