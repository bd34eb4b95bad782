// `npm run bench:heap [-- --connections N] [--client-stack ws8]` (#15): what one relayed connection costs in each role
// process's JavaScript heap, and in what. Opens the embedded relay path from the compiled build
// (as `hcbench` runs it), snapshots every role's heap (V8's --heapsnapshot-signal) before and
// while holding N connections (default 5,000, the Azure per-namespace quota), and prints per role
// the heap growth per connection and its largest groups of objects (lib/heap-diff.ts);
// `--client-stack ws8` runs forwarder and agent on ws 8 instead of hyco-ws (ws 1.1.5). The
// snapshots are written to a fresh temporary directory, named in the output, and kept there.

import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { openEmulatedRelayPath } from '../src/paths/relay.js';
import type { ClientStack } from '../src/tunnel/client-stack.js';
import { compiledRoles } from './lib/compiled-roles.js';
import { type HeapSnapshotJson, groupSnapshot, perConnection } from './lib/heap-diff.js';
import { holdConnections } from './lib/hold-connections.js';
import { startOnprem } from './lib/measure.js';
import { ZERO_LEG } from './entries/relay-ping-pong.js';

/** Longest wait for one round of snapshots (every role's file written and no longer growing), ms. */
const SNAPSHOT_DEADLINE_MS = 300_000;
/** Rows printed per role. */
const TOP = 12;

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20_000) throw new InvalidArgumentError('an integer from 1 to 20000');
  return n;
};
const stack = (value: string): ClientStack => {
  if (value !== 'hyco-ws' && value !== 'ws8') throw new InvalidArgumentError('hyco-ws or ws8');
  return value;
};
const options = new Command('bench:heap')
  .option('--connections <n>', 'relayed connections to hold', positive, 5000)
  .option('--client-stack <stack>', 'WebSocket client of forwarder and agent: hyco-ws or ws8', stack, 'hyco-ws' as ClientStack)
  .parse()
  .opts<{ connections: number; clientStack: ClientStack }>();

const dir = await mkdtemp(join(tmpdir(), 'hcbench-heap-'));
// Every role process inherits this: SIGUSR2 writes a snapshot into `dir`.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`.trim();

/** Signals every role and waits until each has written one new, complete snapshot; returns file by role. */
async function snapshot(pids: Record<string, number>): Promise<Record<string, string>> {
  const before = new Set(await readdir(dir));
  for (const pid of Object.values(pids)) process.kill(pid, 'SIGUSR2');
  const startMs = Date.now();
  let sizes = new Map<string, number>();
  while (Date.now() - startMs < SNAPSHOT_DEADLINE_MS) {
    await sleep(1000);
    const fresh = (await readdir(dir)).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    const byRole = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, fresh.find((f) => f.includes(`.${pid}.`))]));
    const now = new Map(await Promise.all(fresh.map(async (f) => [f, (await stat(join(dir, f))).size] as const)));
    const isStable = fresh.length > 0 && fresh.every((f) => (now.get(f) ?? 0) > 0 && now.get(f) === sizes.get(f));
    if (isStable && Object.values(byRole).every((f) => f !== undefined)) return byRole as Record<string, string>;
    sizes = now;
  }
  throw new Error(`heap snapshots not complete after ${SNAPSHOT_DEADLINE_MS / 1000} s in ${dir}`);
}

const readSnapshot = async (file: string): Promise<HeapSnapshotJson> => JSON.parse(await readFile(join(dir, file), 'utf8')) as HeapSnapshotJson;

const roles = await compiledRoles();
const onprem = await startOnprem(roles.options);
const relay = await openEmulatedRelayPath({ id: 'relay', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 1, clientStack: options.clientStack }, roles.options);
const pids = { 'app-relay-client': relay.rolePids['app-relay-client'] ?? -1, cloud: relay.rolePids['cloud'] ?? -1, onprem: onprem.role.pid };
try {
  console.log(`heap snapshots in ${dir}; roles ${JSON.stringify(pids)}; ${roles.runtime} roles; client stack ${options.clientStack}`);
  const baseline = await snapshot(pids);
  let held: Record<string, string> | undefined;
  const hold = await holdConnections({
    dialAddress: relay.dialAddress,
    connections: options.connections,
    concurrency: 64,
    holdMs: 1000,
    timeoutMs: 30_000,
    openDeadlineMs: 180_000,
    pids,
    signal: AbortSignal.timeout(900_000),
    onHeld: async () => void (held = await snapshot(pids)),
  });
  console.log(`held ${hold.held} of ${options.connections} (errors ${hold.errors}); RSS growth per connection: ${Object.entries(hold.rssBytesPerConnection).map(([k, v]) => `${k} ${Math.round(v)} B`).join(', ')} (snapshots included)`);
  if (held === undefined || hold.held === 0) throw new Error('no connection held: nothing to compare');
  for (const [role, file] of Object.entries(held)) {
    const { totalBytesPerConnection, rows } = perConnection(groupSnapshot(await readSnapshot(baseline[role] ?? '')), groupSnapshot(await readSnapshot(file)), hold.held);
    console.log(`\n${role}: JS heap ${Math.round(totalBytesPerConnection)} B per connection; largest groups (type:constructor or function, objects and bytes per connection):`);
    for (const r of rows.slice(0, TOP)) console.log(`  ${Math.round(r.bytesPerConnection).toString().padStart(6)} B  ${r.countPerConnection.toFixed(2).padStart(6)}  ${r.group}`);
  }
} finally {
  await relay.close();
  await onprem.role.stop();
}
