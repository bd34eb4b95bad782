// Builds every network path a plan needs and tears them all down. The on-prem process (target,
// agents, the direct path's delay shim) is shared by all paths, so every path reaches the very
// same target. Setup honours the run's abort signal: Ctrl-C ends it at once (InterruptedError)
// and stops what was already started.

import { InterruptedError, PathSetupError } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../roles/role-process.js';
import { INTERRUPT_BUDGET_MS, WRITE_RESERVE_MS, bounded } from '../bounded.js';
import type { StartTargetParams, StartTargetResult } from '../roles/role-protocol.js';
import type { DialAddress } from '../workloads/types.js';
import { openDirectPath } from './direct.js';
import { openAzureRelayPath, openEmulatedRelayPath } from './relay.js';
import { openRehearsalRelayPath } from './rehearsal.js';
import type { OpenPath } from './types.js';

export interface Topology {
  paths: Map<string, OpenPath>;
  /** Process of each role and component, for the result's environment. */
  roles: Record<string, string>;
  /** Process id per role process. */
  rolePids: Record<string, number>;
  /** Counters of the target as the on-prem process saw them (undefined for an external target). */
  readTargetStats(): Promise<unknown>;
  /** Closes every path (reverse order), then the on-prem process; `graceMs` bounds each role's stop. */
  close(graceMs?: number): Promise<void>;
  /** Kills every role process at once (SIGKILL): for a teardown cut short after Ctrl-C. */
  kill(): void;
}

/** `signal` (from SpawnRoleOptions) is Ctrl-C: it ends setup with an InterruptedError. */
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
  const close = async (graceMs?: number) => {
    for (const path of [...open.values()].reverse()) await path.close().catch(() => {});
    open.clear();
    await onprem?.stop(graceMs);
  };
  const kill = () => {
    for (const path of open.values()) {
      for (const pid of Object.values(path.rolePids)) killPid(pid);
    }
    onprem?.kill();
  };
  const signal = options.signal;
  const checkInterrupt = (): void => {
    if (signal?.aborted === true) throw new InterruptedError('interrupted during setup');
  };
  try {
    onprem = await spawnRole('onprem', options);
    const target: DialAddress =
      plan.target.kind === 'external'
        ? parseHostPort(plan.target.address)
        : await onprem.call<StartTargetResult>('startTarget', targetParams(plan.target));
    for (const path of plan.paths) {
      checkInterrupt();
      const input = { id: path.id, onprem, target };
      let opened: OpenPath;
      switch (path.kind) {
        case 'direct':
          opened = await openDirectPath(path.id, onprem, target, path.direct, path.handshakeRoundTrips);
          break;
        case 'relay-emulated':
          opened = await openEmulatedRelayPath(
            { ...input, appToRelay: path.appToRelay, relayToAgent: path.relayToAgent, handshakeRoundTrips: path.handshakeRoundTrips, agents: path.agents, clientStack: path.clientStack, maxConnections: path.maxConnections },
            options,
          );
          break;
        case 'relay-azure': {
          if (path.rehearsal !== undefined) {
            const hybridConnection = path.rehearsalHybridConnection === undefined ? {} : { hybridConnection: path.rehearsalHybridConnection };
            opened = await openRehearsalRelayPath({ ...input, host: path.rehearsal, clientStack: path.clientStack, ...hybridConnection }, options);
            break;
          }
          const connectionString = options.secrets?.[path.connectionStringEnv];
          if (connectionString === undefined || connectionString === '') {
            throw new PathSetupError(`path ${path.id}: environment variable ${path.connectionStringEnv} is not set`, {
              hint: `export ${path.connectionStringEnv}='Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...;EntityPath=<hybrid connection>'`,
            });
          }
          opened = await openAzureRelayPath({ ...input, connectionString, clientStack: path.clientStack, ...(path.resolve === undefined ? {} : { resolve: path.resolve }) }, options);
          break;
        }
      }
      open.set(path.id, opened);
    }
    checkInterrupt();
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
      kill,
    };
  } catch (cause) {
    if (signal?.aborted === true) {
      // After Ctrl-C what setup started gets part of the interrupt budget to stop, then it is killed.
      await bounded(close(500), { what: 'stopping what setup started', timeoutMs: INTERRUPT_BUDGET_MS - WRITE_RESERVE_MS }).catch(kill);
      throw new InterruptedError('interrupted during setup: nothing was measured', { cause });
    }
    await close();
    if (cause instanceof PathSetupError) throw cause;
    throw new PathSetupError('could not build the network paths', { cause });
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
