// Closes listener control channels whose token expired (1008), lazily and after a grace window so
// that hyco's fixed 60-min renewal wins the race against 60-min tokens. Owns only its timer.

import type { ListenerRegistry } from './control-channel.js';
import type { RelayLogSink } from './log.js';

/** When expired control channels are closed. */
export interface TokenExpiryOptions {
  /** How often channels are checked, in ms. Default 60000 (the service checks lazily). */
  checkIntervalMs?: number;
  /** How long after `se` a channel may stay open, in ms. Default 120000. */
  graceMs?: number;
}

export interface ExpirySweep {
  /** Checks now (also used by the `expireTokensNow` fault with a zero grace). */
  sweep(graceMs?: number): number;
  stop(): void;
}

/**
 * Starts the periodic check. Uses a self-rescheduling setTimeout (not setInterval), so tests that
 * fake only setInterval to drive hyco's renewal do not also freeze this sweep.
 */
export function startExpirySweep(
  listeners: ListenerRegistry,
  nowMs: () => number,
  log: RelayLogSink,
  onExpired: () => void,
  options: TokenExpiryOptions = {},
): ExpirySweep {
  const checkIntervalMs = options.checkIntervalMs ?? 60_000;
  const defaultGraceMs = options.graceMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const sweep = (graceMs = defaultGraceMs): number => {
    let closed = 0;
    const now = nowMs();
    for (const channel of listeners.all()) {
      if (channel.expiresAtSec * 1000 + graceMs > now) continue;
      if (channel.ws.readyState !== channel.ws.OPEN) continue;
      closed += 1;
      onExpired();
      log({ level: 'info', event: 'listener-token-expired', hc: channel.hcName, code: 1008 });
      channel.ws.close(1008, 'Token expired.');
    }
    return closed;
  };
  const schedule = (): void => {
    timer = setTimeout(() => {
      sweep();
      schedule();
    }, checkIntervalMs);
    timer.unref();
  };
  schedule();
  return {
    sweep,
    stop() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
