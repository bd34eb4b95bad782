// Listener token renewal owned by the agent, for both client stacks: `renewToken` on the current
// control channel at an interval derived from the token lifetime. hyco-ws 1.0.5 renews only every
// 60 min, fixed (relay-protocol.md §8.2 defect 7), so any token living less than that would expire
// under it; its own hourly renewal stays and is harmless (one more valid token). Measured without
// this (3 s tokens, relay closing at expiry): 1008 at every expiry, hyco-ws re-listens with a fresh
// token after 25-35 ms, i.e. a listener gap per lifetime in which senders get 404. Owns one timer.

import type { HycoRelayedServer } from './hyco-ws-client.js';
import { WS_OPEN } from '../net/message-socket.js';

/** Longest interval between renewals, ms (Azure's own SDKs renew well inside a 60-min token). */
const MAX_RENEW_INTERVAL_MS = 50 * 60_000;

/** The default renewal interval for tokens living `ttlSec`: half the lifetime, at most 50 min. */
export function defaultRenewIntervalMs(ttlSec: number): number {
  return Math.min(MAX_RENEW_INTERVAL_MS, Math.max(1, Math.floor((ttlSec * 1000) / 2)));
}

/** How a listener renews its token. */
export interface TokenRenewalOptions {
  /** Milliseconds between `renewToken` commands. */
  intervalMs: number;
  /** Called once per `renewToken` handed to an open control channel. */
  onSent?: () => void;
}

/** The minimal send surface of a ws 1.1.5 or ws 8 control channel (a string is a text frame in both). */
interface TextSender {
  readonly readyState: number;
  send(data: string, cb: (error?: Error) => void): void;
}

/**
 * Wraps `server` so that every `intervalMs` a fresh `token()` goes out as `{"renewToken":{"token":..}}`
 * on whichever control channel is current and open (a reconnected channel registered with a fresh
 * token already). The timer stops on `close()`; a failed send is left to the channel's own error path.
 */
export function withTokenRenewal(server: HycoRelayedServer, token: () => string, options: TokenRenewalOptions): HycoRelayedServer {
  const timer = setInterval(() => {
    const channel = server.controlChannel as unknown as TextSender | undefined;
    if (channel === undefined || channel.readyState !== WS_OPEN) return;
    channel.send(JSON.stringify({ renewToken: { token: token() } }), () => {});
    options.onSent?.();
  }, options.intervalMs);
  timer.unref();
  const wrapped: HycoRelayedServer = {
    get controlChannel() {
      return server.controlChannel;
    },
    close(callback?: (error: unknown) => void) {
      clearInterval(timer);
      server.close(callback);
    },
    on(event: string, listener: (...args: never[]) => void) {
      (server.on as (event: string, listener: (...args: never[]) => void) => unknown)(event, listener);
      return wrapped;
    },
    removeAllListeners(event?: string) {
      server.removeAllListeners(event);
      return wrapped;
    },
  } as HycoRelayedServer;
  return wrapped;
}
