// The agent's connection limit: a relayed connection offered while the agent already holds as many
// as fit its open-file limit (two descriptors each: relay socket and target) is refused before its
// target is dialled, so a burst cannot take the agent to EMFILE. hyco-ws has opened the rendezvous
// WebSocket before the agent sees it, so a refusal closes it once open (4004, counted by the
// forwarder as `connection-limit`) rather than terminating it while connecting, which would leave
// the sender waiting out the relay's rendezvous timeout. A refusal holds its socket until then, so
// refusals count against the limit too; past it they are discarded outright (a ws 1.1.5 handshake
// cannot be stopped, so those go the moment they open: message-socket.ts, discardWebSocket).

import { CLOSE_CONNECTION_LIMIT } from './close-codes.js';
import type { ConnectionTracker } from './connection-tracker.js';
import type { HycoWebSocket } from './hyco-ws-client.js';
import { WS_CONNECTING, discardWebSocket } from '../net/message-socket.js';
import { connectionsWithinFdLimit, openFileLimit } from './fd-limit.js';
import type { TunnelLog } from './types.js';

/** Longest wait for a refused connection's close handshake before its socket is destroyed, in milliseconds. */
const REFUSAL_CLOSE_TIMEOUT_MS = 2000;

/**
 * Wraps the agent's handler of relayed connections: past `maxConnections` live ones (default: what
 * fits the open-file limit, fd-limit.ts; no cap when unknown) a connection is refused and counted as
 * `connection-limit` instead of reaching `onRelayed`.
 */
export function withConnectionLimit(
  tracker: ConnectionTracker,
  maxConnections: number | undefined,
  log: TunnelLog,
  onRelayed: (relayed: HycoWebSocket) => void,
): (relayed: HycoWebSocket) => void {
  const limit = maxConnections ?? connectionsWithinFdLimit(openFileLimit()) ?? Infinity;
  const refusals = createRefusals(tracker, limit, log);
  return (relayed) => {
    if (!refusals.refuseIfFull(relayed)) onRelayed(relayed);
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
