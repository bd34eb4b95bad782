// Entry 4 (#3): scale. How many concurrent relayed connections the embedded path (forwarder in its
// app-relay-client process, emulator in the cloud process, agent in the onprem process) holds for 60 s —
// target: Azure Relay's 5,000 connections per namespace — with zero errors and the memory each
// costs; reference: the same number of direct TCP connections to a built-in target in a fresh
// on-prem process (so its memory figure is not blurred by the relay phase), held 10 s.
// One round: holding 5,000 relayed connections takes minutes, not seconds. The role processes run
// from the compiled build, as `hcbench` runs them (lib/compiled-roles.ts: tsx adds ~8 KB a connection).

import { readFile } from 'node:fs/promises';
import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import { startOnprem } from '../lib/measure.js';
import { holdConnections, type HoldResult } from '../lib/hold-connections.js';
import type { BenchEntry, Figure } from '../lib/types.js';
import { type RoleRuntime, compiledRoles } from '../lib/compiled-roles.js';
import { ZERO_LEG } from './relay-ping-pong.js';

/** Azure Relay: concurrent listener + sender connections per namespace. */
export const AZURE_CONNECTIONS_PER_NAMESPACE = 5000;

function holdFigure(result: HoldResult, target: number, roles: RoleRuntime): Figure {
  const rss = Object.fromEntries(Object.entries(result.rssBytesPerConnection).map(([k, v]) => [`rss_${k}_bytesPerConn`, v]));
  return {
    value: result.held,
    detail: { target, errors: result.errors, notOpened: result.notOpened, openMs: Math.round(result.openMs), heldMs: Math.round(result.heldMs), compiledRoles: roles.runtime === 'compiled' ? 1 : 0, ...rss },
    notes: [...result.errorSamples, ...roles.notes],
  };
}

/** Soft limit on open files of this process (Linux /proc), or undefined where unreadable. */
async function openFileLimit(): Promise<number | undefined> {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(await readFile('/proc/self/limits', 'utf8'));
    return m === null ? undefined : m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    return undefined;
  }
}

export const scale: BenchEntry = {
  id: 'scale',
  title: `concurrent relayed connections held for 60 s (target ${AZURE_CONNECTIONS_PER_NAMESPACE}, the Azure per-namespace quota), zero errors`,
  issue: '#3',
  unit: 'connections',
  better: 'higher',
  hcbenchLabel: 'relay-emulated path (hyco-ws forwarder, emulator, agent), each connection proven by a 64 B round trip before and after the hold',
  referenceLabel: 'the same number of direct TCP connections to a built-in target in a fresh onprem process, held 10 s, proven the same way',
  requires: [],
  rounds: 1,
  async setup(ctx) {
    const connections = ctx.isQuick ? 300 : AZURE_CONNECTIONS_PER_NAMESPACE;
    const roles = await compiledRoles();
    const onprem = await startOnprem(roles.options);
    let relay;
    try {
      relay = await openEmulatedRelayPath({ id: 'relay', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 1 }, roles.options);
    } catch (error) {
      await onprem.role.stop();
      throw error;
    }
    const relayPath = relay;
    const cloudPid = relayPath.rolePids['cloud'] ?? -1;
    const relayClientPid = relayPath.rolePids['app-relay-client'] ?? -1;
    // Relayed: the client socket in this process; forwarder socket + WebSocket in the app-relay-client process.
    const fdLimit = await openFileLimit();
    const fdNote = fdLimit !== undefined && fdLimit < connections * 3 + 1000 ? [`open-file limit ${fdLimit} < ${connections * 3 + 1000} needed; run via npm run bench (bench/run.sh raises it)`] : [];
    const common = { connections, concurrency: 64, timeoutMs: 30_000, openDeadlineMs: ctx.isQuick ? 30_000 : 180_000, signal: ctx.signal };
    return {
      runHcbench: async () => {
        const result = await holdConnections({
          ...common,
          dialAddress: relayPath.dialAddress,
          holdMs: ctx.isQuick ? 3000 : 60_000,
          pids: { 'app-relay-client': relayClientPid, cloud: cloudPid, onprem: onprem.role.pid },
          clientPid: process.pid,
        });
        const figure = holdFigure(result, connections, roles);
        return { ...figure, notes: [...(figure.notes ?? []), ...fdNote] };
      },
      runReference: async () => {
        const fresh = await startOnprem(roles.options);
        try {
          const result = await holdConnections({
            ...common,
            dialAddress: fresh.target,
            holdMs: ctx.isQuick ? 1000 : 10_000,
            pids: { onprem: fresh.role.pid },
            clientPid: process.pid,
          });
          return holdFigure(result, connections, roles);
        } finally {
          await fresh.role.stop();
        }
      },
      close: async () => {
        await relayPath.close();
        await onprem.role.stop();
      },
    };
  },
};
