// The dress rehearsal of a `relay-azure` path: the very code path a real namespace gets
// (sb:// connection strings parsed, tokens signed for the namespace host, wss on port 443 by name,
// the agent's backoff and the listener quota) run against hcbench's emulator in a "cloud" process,
// which answers as the namespace host. The endpoints reach it through a name mapping and trust its
// generated CA; the result's topology says REHEARSAL so it never reads as an Azure measurement.

import { PathSetupError } from '../errors.js';
import type { ClientStack } from '../plan/build-plan.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../roles/role-process.js';
import type { StartRelayParams, StartRelayResult } from '../roles/role-protocol.js';
import type { DialAddress } from '../workloads/types.js';
import { EMBEDDED_HYBRID_CONNECTION, openRelayPath } from './relay.js';
import type { OpenPath } from './types.js';

/** Opens the rehearsal: emulator as `host`, agent with the Listen-only and forwarder with the Send-only string. */
export async function openRehearsalRelayPath(
  input: { id: string; onprem: RoleHandle; target: DialAddress; host: string; clientStack: ClientStack; /** Default `hcbench`. */ hybridConnection?: string },
  options: SpawnRoleOptions = {},
): Promise<OpenPath> {
  const cloud = await spawnRole('cloud', options);
  try {
    const params: StartRelayParams = { hybridConnectionName: input.hybridConnection ?? EMBEDDED_HYBRID_CONNECTION, rehearsalHost: input.host };
    const started = await cloud.call<StartRelayResult>('startRelay', params);
    const rehearsal = started.rehearsal;
    if (rehearsal === undefined) throw new PathSetupError(`path ${input.id}: the cloud process did not start a rehearsal relay`);
    const path = await openRelayPath(
      {
        id: input.id,
        onprem: input.onprem,
        target: input.target,
        kind: 'relay-azure',
        agents: 1,
        clientStack: input.clientStack,
        cloud,
        connectionString: rehearsal.sendConnectionString,
        listenConnectionString: rehearsal.listenConnectionString,
        resolve: [rehearsal.resolve],
        extraCaPem: rehearsal.caCertPem,
        rehearsalHost: rehearsal.host,
      },
      options,
    );
    return {
      ...path,
      rolePids: { ...path.rolePids, cloud: cloud.pid },
      close: async () => {
        await path.close();
        await cloud.stop();
      },
    };
  } catch (cause) {
    await cloud.stop();
    throw cause instanceof PathSetupError ? cause : new PathSetupError(`path ${input.id}: could not start the rehearsal relay`, { cause });
  }
}
