// Relay paths: app-side forwarder (this process) → relay → agent (in the "on-prem" process, next
// to the target) → target. The relay is the embedded emulator in a "cloud" process, or a real
// Azure Relay namespace. Starts in dependency order (relay before agent, so hyco-ws never
// storms), closes in reverse.

import { parseConnectionString } from '../azure/connection-string.js';
import { PathSetupError } from '../errors.js';
import type { LegProfile } from '../scenario/network-profiles.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../run/role-process.js';
import type { StartAgentParams, StartRelayParams, StartRelayResult } from '../run/role-protocol.js';
import { startForwarder } from '../tunnel/forwarder.js';
import type { DialAddress } from '../workloads/types.js';
import type { OpenPath } from './types.js';

/** Name of the hybrid connection the embedded path registers. */
export const EMBEDDED_HYBRID_CONNECTION = 'hcbench';

interface RelayPathInput {
  id: string;
  onprem: RoleHandle;
  target: DialAddress;
}

/** The relay path on the embedded emulator, with the profile's delays on its two legs. */
export async function openEmulatedRelayPath(
  input: RelayPathInput & { appToRelay: LegProfile; relayToAgent: LegProfile },
  options: SpawnRoleOptions = {},
): Promise<OpenPath> {
  const cloud = await spawnRole('cloud', options);
  try {
    const params: StartRelayParams = {
      hybridConnectionName: EMBEDDED_HYBRID_CONNECTION,
      senderLeg: input.appToRelay,
      listenerLeg: input.relayToAgent,
    };
    const relay = await cloud.call<StartRelayResult>('startRelay', params);
    const path = await openRelayPath({ ...input, kind: 'relay-emulated', connectionString: relay.connectionString, cloud });
    return {
      ...path,
      rolePids: { cloud: cloud.pid },
      close: async () => {
        await path.close();
        await cloud.stop();
      },
    };
  } catch (cause) {
    await cloud.stop();
    throw cause instanceof PathSetupError ? cause : new PathSetupError('could not start the embedded relay', { cause });
  }
}

/** A relay path through a real Azure Relay namespace (the connection string comes from the environment). */
export function openAzureRelayPath(input: RelayPathInput & { connectionString: string }): Promise<OpenPath> {
  return openRelayPath({ ...input, kind: 'relay-azure' });
}

async function openRelayPath(
  input: RelayPathInput & { kind: 'relay-emulated' | 'relay-azure'; connectionString: string; cloud?: RoleHandle },
): Promise<OpenPath> {
  const { id, onprem, target, cloud } = input;
  let connection;
  try {
    connection = parseConnectionString(input.connectionString);
  } catch (cause) {
    throw new PathSetupError(`path ${id}: the relay connection string is invalid`, { cause });
  }
  const agentParams: StartAgentParams = { agentId: id, connectionString: input.connectionString, target };
  await onprem.call('startAgent', agentParams, 60_000);
  try {
    const forwarder = await startForwarder({ connection, host: '127.0.0.1', port: 0 });
    return {
      id,
      kind: input.kind,
      dialAddress: { ...forwarder.address },
      components: {
        [`${id}.forwarder`]: `app (pid ${process.pid})`,
        [`${id}.relay`]: cloud === undefined ? `Azure Relay (${connection.host})` : `cloud (pid ${cloud.pid})`,
        [`${id}.agent`]: `onprem (pid ${onprem.pid})`,
      },
      rolePids: {},
      readCounters: async () => {
        const [cloudStats, onpremStats] = await Promise.all([
          cloud?.call<{ relay?: unknown }>('stats'),
          onprem.call<{ agents: Record<string, unknown> }>('stats'),
        ]);
        return { relay: cloudStats?.relay, agent: onpremStats.agents[id], forwarder: forwarder.stats() };
      },
      close: async () => {
        await forwarder.close().catch(() => {});
        await onprem.call('stopAgent', { agentId: id }).catch(() => {});
      },
    };
  } catch (cause) {
    await onprem.call('stopAgent', { agentId: id }).catch(() => {});
    throw new PathSetupError(`path ${id}: could not start the forwarder`, { cause });
  }
}
