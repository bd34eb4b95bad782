// Fault injection on a running relay: drop listeners, refuse listens or accepts, delay accepts,
// cut relayed connections, expire tokens. Acts only through the relay's context; no timers kept.

import type { RelayContext } from './context.js';
import { findHybridConnection } from './namespace.js';
import type { ExpirySweep } from './token-expiry.js';

/** Programmatic faults (the CLI maps flags onto these). Each returns what it affected. */
export interface RelayFaults {
  /** Closes every listener control channel with `code` (default 1011, the service's "internal error"); returns how many. hyco listeners reconnect at once. */
  disconnectListeners(code?: number): number;
  /** While on, new listen handshakes get 503 (existing listeners stay). */
  refuseListeners(isOn: boolean): void;
  /** While on, senders that found a listener get 404 "None of the connected listeners accepted the connection…". */
  refuseAccepts(isOn: boolean): void;
  /** Waits `delayMs` before sending each `accept` to a listener (0 = off); above the rendezvous timeout, senders time out. */
  delayAccepts(delayMs: number): void;
  /** Closes every relayed connection on both sides with `code` (default 1011); returns how many. */
  cutConnections(code?: number, reason?: string): number;
  /** Closes every control channel with 1008 as if its token had expired now; returns how many. */
  expireTokensNow(): number;
  /**
   * Makes a hybrid connection behave as deleted (`isDisabled` true) or back (false): its control
   * channels and relayed connections close with 1001, and every new handshake gets 404
   * "Endpoint does not exist." until re-enabled. Returns how many sockets were closed.
   */
  disableHybridConnection(name: string, isDisabled?: boolean): number;
  /** Turns every switch off (re-enables disabled hybrid connections). */
  reset(): void;
}

export function createFaults(ctx: RelayContext, sweep: ExpirySweep): RelayFaults {
  return {
    disconnectListeners(code = 1011) {
      const channels = ctx.listeners.all().filter((channel) => channel.ws.readyState === channel.ws.OPEN);
      for (const channel of channels) channel.ws.close(code, code === 1011 ? 'Fault injected: listener disconnected.' : '');
      ctx.log({ level: 'warn', event: 'fault-disconnect-listeners', code, message: `${channels.length} listeners` });
      return channels.length;
    },
    refuseListeners(isOn) {
      ctx.faults.isRefusingListeners = isOn;
      ctx.log({ level: 'warn', event: 'fault-refuse-listeners', message: String(isOn) });
    },
    refuseAccepts(isOn) {
      ctx.faults.isRefusingAccepts = isOn;
      ctx.log({ level: 'warn', event: 'fault-refuse-accepts', message: String(isOn) });
    },
    delayAccepts(delayMs) {
      ctx.faults.acceptDelayMs = Math.max(0, delayMs);
      ctx.log({ level: 'warn', event: 'fault-delay-accepts', message: `${delayMs} ms` });
    },
    cutConnections(code = 1011, reason = 'Fault injected: connection cut.') {
      const bridges = [...ctx.bridges.keys()];
      for (const bridge of bridges) bridge.cut(code, reason);
      ctx.log({ level: 'warn', event: 'fault-cut-connections', code, message: `${bridges.length} connections` });
      return bridges.length;
    },
    expireTokensNow() {
      // A hugely negative grace makes every channel count as expired, whatever its token says.
      return sweep.sweep(-Number.MAX_SAFE_INTEGER);
    },
    disableHybridConnection(name, isDisabled = true) {
      const hc = findHybridConnection(ctx.namespace, name);
      if (hc === undefined) return 0;
      if (!isDisabled) {
        ctx.faults.disabledHcs.delete(hc.name);
        return 0;
      }
      ctx.faults.disabledHcs.add(hc.name);
      const channels = ctx.listeners.all().filter((channel) => channel.hcName === hc.name && channel.ws.readyState === channel.ws.OPEN);
      for (const channel of channels) channel.ws.close(1001, 'The hybrid connection was deleted or disabled.');
      const bridges = [...ctx.bridges].filter(([, hcName]) => hcName === hc.name).map(([bridge]) => bridge);
      for (const bridge of bridges) bridge.cut(1001, 'The hybrid connection was deleted or disabled.');
      ctx.log({ level: 'warn', event: 'fault-disable-hybrid-connection', hc: hc.name, code: 1001 });
      return channels.length + bridges.length;
    },
    reset() {
      ctx.faults.disabledHcs.clear();
      ctx.faults.isRefusingListeners = false;
      ctx.faults.isRefusingAccepts = false;
      ctx.faults.acceptDelayMs = 0;
    },
  };
}
