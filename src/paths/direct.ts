// The direct path: the workload dials the target (stands for VNet integration). With a network
// distance, it dials a delay proxy in the on-prem process instead, so the delay is on the path,
// not in the driver.

import type { LegProfile } from '../scenario/network-profiles.js';
import type { RoleHandle } from '../roles/role-process.js';
import type { StartDelayProxyParams } from '../roles/role-protocol.js';
import type { DialAddress } from '../workloads/types.js';
import { isNoopLink } from '../net/delay-line.js';
import type { OpenPath } from './types.js';

/** `handshakeRoundTrips`: round trips of the leg a new connection pays before the target sees it (1: TCP); default 0. */
export async function openDirectPath(id: string, onprem: RoleHandle, target: DialAddress, leg: LegProfile, handshakeRoundTrips = 0): Promise<OpenPath> {
  const base = { id, kind: 'direct' as const, components: {}, rolePids: {}, close: async () => {} };
  if (isNoopLink(leg)) return { ...base, dialAddress: { ...target } };
  const params: StartDelayProxyParams = { proxyId: id, target, leg, ...(handshakeRoundTrips > 0 ? { handshakeRoundTrips } : {}) };
  const address = await onprem.call<DialAddress>('startDelayProxy', params);
  return {
    ...base,
    configuredRoundTripUs: 2 * leg.oneWayDelayMs * 1000,
    dialAddress: address,
    components: { [`${id}.delayShim`]: `onprem (pid ${onprem.pid})` },
    readCounters: async () => {
      const stats = await onprem.call<{ proxies: Record<string, unknown> }>('stats');
      return { delayShim: stats.proxies[id] };
    },
  };
}
