// Opens one TCP connection to a dial address with a timeout and reports how long the connect
// took or why it failed. It never records anything and never retries: callers decide.

import net from 'node:net';
import type { ErrorKind } from '../metrics/result.js';
import type { Clock, DialAddress } from './types.js';
import { classifySocketError } from './socket-errors.js';

/** Result of one connect attempt; `startNs`/`endNs` come from the injected clock. */
export type DialOutcome =
  | { ok: true; socket: net.Socket; startNs: bigint; endNs: bigint }
  | { ok: false; kind: ErrorKind; startNs: bigint; endNs: bigint; /** Node error code, when there was one. */ code?: string };

/**
 * Connects to `address` with noDelay. Resolves (never rejects) on 'connect', on error, after
 * `timeoutMs` (kind 'timeout'), or when `signal` aborts (kind 'closed'). On failure the socket is
 * destroyed. On success the socket keeps a no-op 'error' listener so a later reset cannot crash
 * the process; callers attach their own handlers.
 */
export function dialTcp(address: DialAddress, timeoutMs: number, clock: Clock, signal: AbortSignal): Promise<DialOutcome> {
  return new Promise((resolve) => {
    const startNs = clock.nowNs();
    if (signal.aborted) {
      resolve({ ok: false, kind: 'closed', startNs, endNs: startNs });
      return;
    }
    const socket = net.connect({ host: address.host, port: address.port, noDelay: true });
    socket.on('error', () => undefined);
    const finish = (outcome: DialOutcome): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (!outcome.ok) socket.destroy();
      resolve(outcome);
    };
    const onConnect = (): void => finish({ ok: true, socket, startNs, endNs: clock.nowNs() });
    const onError = (error: unknown): void => {
      const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
      finish({ ok: false, kind: classifySocketError(error), startNs, endNs: clock.nowNs(), ...(typeof code === 'string' ? { code } : {}) });
    };
    const onAbort = (): void => finish({ ok: false, kind: 'closed', startNs, endNs: clock.nowNs() });
    const timer = setTimeout(() => finish({ ok: false, kind: 'timeout', startNs, endNs: clock.nowNs() }), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
