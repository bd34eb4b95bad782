// Builds every network path a plan needs and tears them all down. The on-prem process (target,
// agents, the direct path's delay shim) is shared by all paths, so every path reaches the very
// same target.

import { PathSetupError } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../run/role-process.js';
import type { StartTargetParams, StartTargetResult } from '../run/role-protocol.js';
import type { DialAddress } from '../workloads/types.js';
import { openDirectPath } from './direct.js';
import { openAzureRelayPath, openEmulatedRelayPath } from './relay.js';
import type { OpenPath } from './types.js';

export interface Topology {
  paths: Map<string, OpenPath>;
  /** Process of each role and component, for the result's environment. */
  roles: Record<string, string>;
  /** Process id per role process. */
  rolePids: Record<string, number>;
  /** Counters of the target as the on-prem process saw them (undefined for an external target). */
  readTargetStats(): Promise<unknown>;
  close(): Promise<void>;
}

export interface TopologyOptions extends SpawnRoleOptions {
  /** Values of the environment variables the plan's relay-azure paths name. */
  secrets?: Record<string, string | undefined>;
}

/** `host:port` or `[v6]:port` → address. */
export function parseHostPort(text: string): DialAddress {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text);
  if (match === null) throw new PathSetupError(`not a host:port address: ${text}`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}

function targetParams(target: Exclude<Plan['target'], { kind: 'external' }>): StartTargetParams {
  if (target.kind === 'http') return { kind: 'http', responseBytes: target.responseBytes };
  return {
    kind: target.kind,
    ...(target.serviceTimeUs === undefined ? {} : { serviceTimeUs: target.serviceTimeUs }),
    ...(target.concurrency === undefined ? {} : { concurrency: target.concurrency }),
  };
}

export async function openTopology(plan: Plan, options: TopologyOptions = {}): Promise<Topology> {
  let onprem: RoleHandle | undefined;
  const open = new Map<string, OpenPath>();
  const close = async () => {
    for (const path of [...open.values()].reverse()) await path.close().catch(() => {});
    open.clear();
    await onprem?.stop();
  };
  try {
    onprem = await spawnRole('onprem', options);
    const target: DialAddress =
      plan.target.kind === 'external'
        ? parseHostPort(plan.target.address)
        : await onprem.call<StartTargetResult>('startTarget', targetParams(plan.target));
    for (const path of plan.paths) {
      const input = { id: path.id, onprem, target };
      let opened: OpenPath;
      switch (path.kind) {
        case 'direct':
          opened = await openDirectPath(path.id, onprem, target, path.direct);
          break;
        case 'relay-emulated':
          opened = await openEmulatedRelayPath(
            { ...input, appToRelay: path.appToRelay, relayToAgent: path.relayToAgent, agents: path.agents, clientStack: path.clientStack, maxConnections: path.maxConnections },
            options,
          );
          break;
        case 'relay-azure': {
          const connectionString = options.secrets?.[path.connectionStringEnv];
          if (connectionString === undefined || connectionString === '') {
            throw new PathSetupError(`path ${path.id}: environment variable ${path.connectionStringEnv} is not set`, {
              hint: `export ${path.connectionStringEnv}='Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...;EntityPath=<hybrid connection>'`,
            });
          }
          opened = await openAzureRelayPath({ ...input, connectionString, clientStack: path.clientStack }, options);
          break;
        }
      }
      open.set(path.id, opened);
    }
    const roles: Record<string, string> = {
      generator: `app (pid ${process.pid})`,
      target: plan.target.kind === 'external' ? `external (${plan.target.address})` : `onprem (pid ${onprem.pid})`,
    };
    const rolePids: Record<string, number> = { app: process.pid, onprem: onprem.pid };
    for (const path of open.values()) {
      Object.assign(roles, path.components);
      for (const [role, pid] of Object.entries(path.rolePids)) rolePids[`${path.id}.${role}`] = pid;
    }
    const handle = onprem;
    return {
      paths: open,
      roles,
      rolePids,
      readTargetStats: async () => (await handle.call<{ target?: unknown }>('stats')).target,
      close,
    };
  } catch (cause) {
    await close();
    if (cause instanceof PathSetupError) throw cause;
    throw new PathSetupError('could not build the network paths', { cause });
  }
}
