// Builds every network path a plan needs and tears them all down. The on-prem process (target,
// later the agent) is shared by all paths, so direct and relay reach the very same target.

import { PathSetupError } from '../errors.js';
import type { PlannedPath } from '../plan/build-plan.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../run/role-process.js';
import type { StartTargetResult } from '../run/role-protocol.js';
import { openDirectPath } from './direct.js';
import { openEmulatedRelayPath } from './relay.js';
import type { OpenPath } from './types.js';

export interface Topology {
  paths: Map<string, OpenPath>;
  /** Process of each role and component, for the result's environment. */
  roles: Record<string, string>;
  /** Process id per role process. */
  rolePids: Record<string, number>;
  /** Counters of the target as the on-prem process saw them. */
  readTargetStats(): Promise<unknown>;
  close(): Promise<void>;
}

export async function openTopology(paths: readonly PlannedPath[], options: SpawnRoleOptions = {}): Promise<Topology> {
  let onprem: RoleHandle | undefined;
  const open = new Map<string, OpenPath>();
  const close = async () => {
    for (const path of [...open.values()].reverse()) await path.close().catch(() => {});
    open.clear();
    await onprem?.stop();
  };
  try {
    onprem = await spawnRole('onprem', options);
    const target = await onprem.call<StartTargetResult>('startTarget');
    for (const path of paths) {
      const opened =
        path.kind === 'direct'
          ? openDirectPath(path.id, target)
          : await openEmulatedRelayPath(path.id, onprem, target, options);
      open.set(path.id, opened);
    }
    const roles: Record<string, string> = { generator: `app (pid ${process.pid})`, target: `onprem (pid ${onprem.pid})` };
    const rolePids: Record<string, number> = { app: process.pid, onprem: onprem.pid };
    for (const path of open.values()) {
      Object.assign(roles, path.components);
      Object.assign(rolePids, path.rolePids);
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
