// Relays data messages between a sender's and a listener's rendezvous WebSockets: keeps opcode,
// boundaries and order, forwards close codes, applies backpressure. Knows nothing of auth or routing.

import type { RawData, WebSocket } from 'ws';
import type { DirectionStats } from './stats.js';

/** Bytes queued towards one peer above which the other peer is paused; resumed below half of it. */
export const bridgeHighWaterBytes = 1024 * 1024;

export interface BridgeHooks {
  senderToListener: DirectionStats;
  listenerToSender: DirectionStats;
  /** Called once, when both sockets are closed. */
  onEnd: () => void;
}

/** A running bridge. */
export interface Bridge {
  /** Closes both sides with `code` (e.g. 1011 for a fault, 1001 for shutdown). */
  cut(code: number, reason?: string): void;
}

/** Close codes that may be sent on the wire (RFC 6455 §7.4; ws rejects the others). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Forwards `from`'s messages to `to`, counting them; pauses `from` while `to` is congested. */
function pipeMessages(from: WebSocket, to: WebSocket, counters: DirectionStats): void {
  let queuedBytes = 0;
  let isPaused = false;
  from.on('message', (data: RawData, isBinary: boolean) => {
    if (to.readyState !== to.OPEN) return;
    const bytes = byteLength(data);
    counters.messages += 1;
    counters.bytes += bytes;
    queuedBytes += bytes;
    to.send(data, { binary: isBinary }, () => {
      queuedBytes -= bytes;
      if (isPaused && queuedBytes <= bridgeHighWaterBytes / 2) {
        isPaused = false;
        from.resume();
      }
    });
    if (!isPaused && queuedBytes > bridgeHighWaterBytes) {
      isPaused = true;
      from.pause();
    }
  });
}

/** Closes `to` the way `from` was closed: same code and reason; abnormal loss becomes 1001. */
function forwardClose(to: WebSocket, code: number, reason: Buffer): void {
  if (to.readyState === to.CLOSED || to.readyState === to.CLOSING) return;
  if (code === 1005) to.close();
  else if (isSendableCloseCode(code)) to.close(code, reason.subarray(0, 123));
  else to.close(1001, 'peer went away');
}

/** Starts relaying between two open sockets. Both get an 'error' handler; errors end in 'close'. */
export function startBridge(sender: WebSocket, listener: WebSocket, hooks: BridgeHooks): Bridge {
  let openSides = 2;
  const sideClosed = (): void => {
    openSides -= 1;
    if (openSides === 0) hooks.onEnd();
  };
  for (const socket of [sender, listener]) socket.on('error', () => {});
  pipeMessages(sender, listener, hooks.senderToListener);
  pipeMessages(listener, sender, hooks.listenerToSender);
  sender.on('close', (code: number, reason: Buffer) => {
    forwardClose(listener, code, reason);
    sideClosed();
  });
  listener.on('close', (code: number, reason: Buffer) => {
    forwardClose(sender, code, reason);
    sideClosed();
  });
  return {
    cut(code, reason = '') {
      for (const socket of [sender, listener]) {
        if (socket.readyState === socket.OPEN) socket.close(code, reason);
      }
    },
  };
}
