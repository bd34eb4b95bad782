// Entry 2 (#3, #5): relay-path ping-pong on the embedded relay with zero injected delay —
// hcbench's forwarder (app-relay-client process) → relay emulator (cloud process) → agent (onprem process) → target,
// against a chain of the same number (3) of plain TCP proxy hops to the same target, both driven
// by the same tcp-request-response driver. The ratio is the cost of our plumbing relative to the
// leanest proxies; p50 per round trip is in the detail.

import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { OpenPath } from '../../src/paths/types.js';
import type { LegProfile } from '../../src/scenario/network-profiles.js';
import { pingPongParams, roundTripFigure, runWorkload, startOnprem } from '../lib/measure.js';
import { startProxyChain, type ProxyChain } from '../lib/proxy-chain.js';
import type { BenchEntry, EntryContext } from '../lib/types.js';

/** No delay, no jitter, no cap. */
export const ZERO_LEG: LegProfile = { oneWayDelayMs: 0, jitterMs: 0, bandwidthBytesPerSec: 0 };

/** Forwarder, relay, agent: the number of proxy hops the relay path is compared with. */
export const RELAY_HOPS = 3;

export const relayPingPong: BenchEntry = {
  id: 'relay-ping-pong',
  title: 'relay path (forwarder + emulator + agent, zero delay), 1 connection, 64 B ping-pong vs 3 plain TCP proxy hops',
  issue: '#3 #5',
  unit: 'RT/s',
  better: 'higher',
  hcbenchLabel: 'tcp-request-response, 1 conn, 64 B, relay-emulated path (hyco-ws forwarder in its app-relay-client process, relay in cloud, agent in onprem)',
  referenceLabel: 'same driver through 3 TCP proxy hops (haproxy tcp mode; socat or Node pipe where absent), one process each',
  requires: [],
  async setup(ctx) {
    const windowMs = ctx.isQuick ? 1000 : 3000;
    const { relayPath, proxyChain, close } = await startRelayAndChain(ctx);
    const timing = { warmupMs: 500, durationMs: windowMs };
    return {
      runHcbench: async () => roundTripFigure(await runWorkload(relayPath.dialAddress, pingPongParams(), timing, ctx.signal)),
      runReference: async () => {
        const figure = roundTripFigure(await runWorkload(proxyChain.dialAddress, pingPongParams(), timing, ctx.signal));
        return { ...figure, notes: [`${RELAY_HOPS} × ${proxyChain.kind}`] };
      },
      close,
    };
  },
};

/**
 * The relay path at zero delay (forwarder, emulator, agent: one process each) and a chain of
 * RELAY_HOPS plain TCP proxies, both in front of one built-in target in an onprem process.
 */
export async function startRelayAndChain(ctx: EntryContext): Promise<{ relayPath: OpenPath; proxyChain: ProxyChain; close: () => Promise<void> }> {
  const onprem = await startOnprem();
  let relay: OpenPath | undefined;
  let chain: ProxyChain | undefined;
  try {
    relay = await openEmulatedRelayPath({ id: 'relay', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 1 });
    chain = await startProxyChain(RELAY_HOPS, onprem.target, ctx.findTool);
  } catch (error) {
    await relay?.close();
    await onprem.role.stop();
    throw error;
  }
  const relayPath = relay;
  const proxyChain = chain;
  return {
    relayPath,
    proxyChain,
    close: async () => {
      await proxyChain.close();
      await relayPath.close();
      await onprem.role.stop();
    },
  };
}
