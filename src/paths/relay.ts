// The relay path on the embedded emulator: app-side forwarder (this process) → relay emulator
// ("cloud" process) → agent (in the "on-prem" process, next to the target) → target.
// Starts in dependency order (relay before agent, so hyco-ws never storms), closes in reverse.

import { parseConnectionString } from '../azure/connection-string.js';
import { PathSetupError } from '../errors.js';
import type { RoleHandle } from '../run/role-process.js';
import { spawnRole, type SpawnRoleOptions } from '../run/role-process.js';
import type { StartAgentParams, StartRelayResult } from '../run/role-protocol.js';
import { startForwarder } from '../tunnel/forwarder.js';
import type { DialAddress } from '../workloads/types.js';
import type { OpenPath } from './types.js';

/** Name of the hybrid connection the embedded path registers. */
export const EMBEDDED_HYBRID_CONNECTION = 'hcbench';

export async function openEmulatedRelayPath(
  id: string,
  onprem: RoleHandle,
  target: DialAddress,
  options: SpawnRoleOptions = {},
): Promise<OpenPath> {
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => {});
    }
  };
  try {
    const cloud = await spawnRole('cloud', options);
    cleanups.push(() => cloud.stop());
    const relay = await cloud.call<StartRelayResult>('startRelay', { hybridConnectionName: EMBEDDED_HYBRID_CONNECTION });
    const agentParams: StartAgentParams = { connectionString: relay.connectionString, target };
    await onprem.call('startAgent', agentParams);
    cleanups.push(() => onprem.call('stopAgent').then(() => {}));
    const forwarder = await startForwarder({ connection: parseConnectionString(relay.connectionString), host: '127.0.0.1', port: 0 });
    cleanups.push(() => forwarder.close());
    return {
      id,
      kind: 'relay-emulated',
      dialAddress: { ...forwarder.address },
      components: { forwarder: `app (pid ${process.pid})`, relay: `cloud (pid ${cloud.pid})`, agent: `onprem (pid ${onprem.pid})` },
      rolePids: { cloud: cloud.pid },
      readCounters: async () => {
        const [cloudStats, onpremStats] = await Promise.all([
          cloud.call<{ relay?: unknown }>('stats'),
          onprem.call<{ agent?: unknown; target?: unknown }>('stats'),
        ]);
        return { relay: cloudStats.relay, agent: onpremStats.agent, forwarder: forwarder.stats() };
      },
      close: closeAll,
    };
  } catch (cause) {
    await closeAll();
    if (cause instanceof PathSetupError) throw cause;
    throw new PathSetupError('could not build the relay path on the embedded emulator', { cause });
  }
}
