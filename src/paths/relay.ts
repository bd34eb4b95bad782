// Relay paths: app-side forwarder (its own "app-relay-client" process, as the relay client is not
// inside the app in App Service either) → relay → agent (in the "on-prem" process, next to the
// target) → target. The relay is the embedded emulator in a "cloud" process, or a real Azure
// Relay namespace. Starts in dependency order (relay before agent, so hyco-ws never storms),
// closes in reverse. The generator's process runs nothing of the path.

import { parseConnectionString } from '../azure/connection-string.js';
import { PathSetupError } from '../errors.js';
import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import type { ClientStack } from '../plan/build-plan.js';
import type { LegProfile } from '../scenario/network-profiles.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../roles/role-process.js';
import type { StartAgentParams, StartForwarderParams, StartForwarderResult, StartRelayParams, StartRelayResult } from '../roles/role-protocol.js';
import { isNoopLink } from '../net/delay-line.js';
import type { DialAddress } from '../workloads/types.js';
import type { OpenPath } from './types.js';

/** Azure's listener quota per hybrid connection; agents beyond it are expected to be refused. */
const LISTENERS_PER_HYBRID_CONNECTION = DEFAULT_RELAY_LIMITS.listenersPerHybridConnection;

/** Name of the hybrid connection the embedded path registers. */
export const EMBEDDED_HYBRID_CONNECTION = 'hcbench';

interface RelayPathInput {
  id: string;
  onprem: RoleHandle;
  target: DialAddress;
}

/** The relay path on the embedded emulator, with the profile's delays on its two legs. */
export async function openEmulatedRelayPath(
  input: RelayPathInput & {
    appToRelay: LegProfile;
    relayToAgent: LegProfile;
    agents: number;
    clientStack?: ClientStack;
    maxConnections?: number;
    /** Round trips of its leg each new WebSocket to the relay pays (TCP + TLS); default 0. */
    handshakeRoundTrips?: number;
  },
  options: SpawnRoleOptions = {},
): Promise<OpenPath> {
  const cloud = await spawnRole('cloud', options);
  // With any distance, each leg's delay is held by the process that receives the message
  // (net/timed-socket.ts), so hand-offs between processes happen while the message is in flight.
  const timed = isNoopLink(input.appToRelay) && isNoopLink(input.relayToAgent) ? undefined : { appToRelay: input.appToRelay, relayToAgent: input.relayToAgent };
  try {
    const params: StartRelayParams = {
      hybridConnectionName: EMBEDDED_HYBRID_CONNECTION,
      senderLeg: input.appToRelay,
      listenerLeg: input.relayToAgent,
      ...(input.handshakeRoundTrips === undefined ? {} : { handshakeRoundTrips: input.handshakeRoundTrips }),
      ...(input.maxConnections === undefined ? {} : { maxConnections: input.maxConnections }),
      ...(timed === undefined ? {} : { timedLegs: true }),
    };
    const relay = await cloud.call<StartRelayResult>('startRelay', params);
    const clientStack = input.clientStack ?? 'hyco-ws';
    const path = await openRelayPath({ ...input, clientStack, kind: 'relay-emulated', connectionString: relay.connectionString, cloud, ...(timed === undefined ? {} : { timed }) }, options);
    const agentIds = agentIdsOf(input.id, input.agents);
    return {
      ...path,
      ...(timed === undefined ? {} : { configuredRoundTripUs: 2 * (input.appToRelay.oneWayDelayMs + input.relayToAgent.oneWayDelayMs) * 1000 }),
      rolePids: { ...path.rolePids, cloud: cloud.pid },
      injectFault: async (fault) => {
        if (fault.action === 'stop-agent') {
          await input.onprem.call('stopAgent', { agentId: agentIds[fault.agent ?? 0] });
        } else {
          await cloud.call('fault', { action: fault.action });
        }
      },
      resetFaults: async () => {
        await cloud.call('fault', { action: 'reset' });
        const running = await input.onprem.call<{ agents: Record<string, unknown> }>('stats');
        // Only agents within the listener quota are restarted; refused ones stay refused.
        for (const agentId of agentIds.slice(0, LISTENERS_PER_HYBRID_CONNECTION)) {
          if (running.agents[agentId] === undefined) {
            await input.onprem.call(
              'startAgent',
              {
                agentId,
                connectionString: relay.connectionString,
                target: input.target,
                clientStack,
                ...(timed === undefined ? {} : { timedLeg: timed.relayToAgent }),
              } satisfies StartAgentParams,
              60_000,
            );
          }
        }
      },
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
export function openAzureRelayPath(
  input: RelayPathInput & { connectionString: string; clientStack: ClientStack; resolve?: string[] },
  options: SpawnRoleOptions = {},
): Promise<OpenPath> {
  return openRelayPath({ ...input, kind: 'relay-azure', agents: 1 }, options);
}

/** How the result names the relay: Azure, the emulator, or the emulator rehearsing as an Azure name. */
function relayComponent(host: string, cloud: RoleHandle | undefined, rehearsalHost: string | undefined): string {
  if (rehearsalHost !== undefined) return `REHEARSAL: hcbench's emulator answering as ${rehearsalHost} in cloud (pid ${cloud?.pid ?? '?'}), not Azure`;
  return cloud === undefined ? `Azure Relay (${host})` : `cloud (pid ${cloud.pid})`;
}

/** `relay-emulated.agent0`, `relay-emulated.agent1`, ... */
function agentIdsOf(pathId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${pathId}.agent${i}`);
}

/** Sums the numeric counters of several agents (nested objects summed key by key, lists joined). */
export function sumCounters(items: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item === null || typeof item !== 'object') continue;
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      const current = out[key];
      if (typeof value === 'number') out[key] = (typeof current === 'number' ? current : 0) + value;
      else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('encoded' in value)) {
        out[key] = sumCounters([current ?? {}, value]);
      } else if (Array.isArray(value)) out[key] = [...(Array.isArray(current) ? current : []), ...value]; // lists (setup stamps): every item's
      else if (current === undefined) out[key] = value;
    }
  }
  return out;
}

/** Starts the agents, then the forwarder; see the file comment. Shared with paths/rehearsal.ts. */
export async function openRelayPath(
  input: RelayPathInput & {
    kind: 'relay-emulated' | 'relay-azure';
    connectionString: string;
    /** The agents' connection string when it differs (rehearsal: Listen-only; `connectionString` is Send-only). */
    listenConnectionString?: string;
    /** Name mappings for every socket the endpoints open, and a CA they trust besides the system's. */
    resolve?: string[];
    extraCaPem?: string;
    /** Rehearsal: the namespace host the emulator in `cloud` answers as. */
    rehearsalHost?: string;
    agents: number;
    clientStack: ClientStack;
    cloud?: RoleHandle;
    /** Emulated relay with timed legs: the leg each endpoint holds. */
    timed?: { appToRelay: LegProfile; relayToAgent: LegProfile };
  },
  options: SpawnRoleOptions,
): Promise<OpenPath> {
  const { id, onprem, target, cloud } = input;
  const endpointResolve = {
    ...(input.resolve === undefined ? {} : { resolve: input.resolve }),
    ...(input.extraCaPem === undefined ? {} : { extraCaPem: input.extraCaPem }),
  };
  const agentIds = agentIdsOf(id, input.agents);
  const refusedListeners: string[] = [];
  let client: RoleHandle | undefined;
  const stopAll = async () => {
    // Forwarder first (its connections close toward the relay), then its process, then the agents.
    await client?.call('stopForwarder', { forwarderId: id }, 10_000).catch(() => {});
    await client?.stop();
    for (const agentId of agentIds) await onprem.call('stopAgent', { agentId }).catch(() => {});
  };
  let connection;
  try {
    connection = parseConnectionString(input.connectionString);
  } catch (cause) {
    throw new PathSetupError(`path ${id}: the relay connection string is invalid`, { cause });
  }
  try {
    for (const [index, agentId] of agentIds.entries()) {
      const agentParams: StartAgentParams = {
        agentId,
        connectionString: input.listenConnectionString ?? input.connectionString,
        ...endpointResolve,
        target,
        clientStack: input.clientStack,
        ...(input.timed === undefined ? {} : { timedLeg: input.timed.relayToAgent }),
      };
      if (index < LISTENERS_PER_HYBRID_CONNECTION) {
        await onprem.call('startAgent', agentParams, 60_000);
        continue;
      }
      // Beyond the documented quota the relay refuses the listener (as Azure does): give it two
      // attempts, then count the refusal by kind and run with the agents that got in.
      try {
        await onprem.call('startAgent', { ...agentParams, maxListenAttempts: 2, startTimeoutMs: 15_000 }, 30_000);
      } catch (error) {
        refusedListeners.push(`${agentId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    client = await spawnRole('app-relay-client', options);
    const forwarderParams: StartForwarderParams = { forwarderId: id, connectionString: input.connectionString, ...endpointResolve, clientStack: input.clientStack, ...(input.timed === undefined ? {} : { timedLeg: input.timed.appToRelay }) };
    const forwarderAddress = await client.call<StartForwarderResult>('startForwarder', forwarderParams);
    const relayClient = client;
    return {
      id,
      kind: input.kind,
      dialAddress: { host: forwarderAddress.host, port: forwarderAddress.port },
      components: {
        [`${id}.forwarder`]: `app-relay-client (pid ${relayClient.pid})`,
        [`${id}.relay`]: relayComponent(connection.host, cloud, input.rehearsalHost),
        ...(input.resolve === undefined ? {} : { [`${id}.resolve`]: `${input.resolve.join(', ')} (name mapping: not Azure's DNS)` }),
        [`${id}.agents`]: `${agentIds.length} in onprem (pid ${onprem.pid})`,
      },
      rolePids: { 'app-relay-client': relayClient.pid },
      readCounters: async () => {
        const [cloudStats, onpremStats, clientStats] = await Promise.all([
          cloud?.call<{ relay?: unknown }>('stats'),
          onprem.call<{ agents: Record<string, unknown>; retiredAgents?: Record<string, unknown[]> }>('stats'),
          relayClient.call<{ forwarders: Record<string, unknown> }>('stats'),
        ]);
        // An agent id restarted after stop-agent: the current instance first (its status), plus what earlier ones served.
        const agentTotals = Object.fromEntries(
          agentIds.map((agentId) => {
            const instances = [onpremStats.agents[agentId], ...(onpremStats.retiredAgents?.[agentId] ?? [])].filter((a) => a !== undefined);
            return [agentId, instances.length === 0 ? null : { ...sumCounters(instances), instances: instances.length }];
          }),
        );
        const agents = Object.values(agentTotals).filter((a) => a !== null);
        return {
          relay: cloudStats?.relay,
          // The sum of the agents' counters; their lists (setup stamps) stay under `agents` only, not repeated here.
          agent: Object.fromEntries(Object.entries(sumCounters(agents)).filter(([, value]) => !Array.isArray(value))),
          agents: agentTotals,
          listenersRefused: refusedListeners.length,
          listenerRefusals: [...refusedListeners],
          forwarder: clientStats.forwarders[id] ?? {},
        };
      },
      close: stopAll,
    };
  } catch (cause) {
    await stopAll();
    throw cause instanceof PathSetupError ? cause : new PathSetupError(`path ${id}: could not start the agents and forwarder`, { cause });
  }
}
