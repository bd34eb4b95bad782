// Connection churn against the real processes (hcbench relay, agent, tunnel): clients that reset
// while their relayed WebSocket is still being set up must not leave sockets behind. The tunnel
// and agent file-descriptor counts (/proc/<pid>/fd) must return to their baseline within a
// deadline, on both client stacks (ws 1.1.5 inside hyco-ws used to keep 300+ relay sockets in
// CLOSE-WAIT for its 30 s close timeout). Linux only.

import { existsSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { clientStacks } from '../../src/tunnel/client-stack.js';
import { openFds, startHcbench, startRelayProcess } from '../helpers/hcbench-process.js';
import { startEchoServer } from '../helpers/tunnel-targets.js';

const RESETS = 500;
const IN_FLIGHT = 8;
/** The goal is 5 s; the deadline leaves room for a loaded 2-core machine and still fails the old 30 s hold. */
const RECOVERY_DEADLINE_MS = 15_000;
/** Slack for descriptors a process may open on its own (timers, a reconnect); a leak is hundreds. */
const FD_SLACK = 2;

/** Opens one client connection and resets it during setup: at once, or just after sending a byte. */
function resetDuringSetup(port: number, index: number): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      if (index % 2 === 0) return void socket.resetAndDestroy();
      socket.write('x');
      setImmediate(() => socket.resetAndDestroy());
    });
  });
}

async function churn(port: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < RESETS) await resetDuringSetup(port, next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Polls both fd counts until each is within the slack of its baseline; fails naming the leftovers. */
async function waitForBaseline(pids: Record<string, number>, baseline: Record<string, number>): Promise<{ recoveryMs: number; peak: Record<string, number> }> {
  const started = Date.now();
  const peak: Record<string, number> = {};
  let last: Record<string, number> = {};
  while (Date.now() - started < RECOVERY_DEADLINE_MS) {
    last = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, openFds(pid)]));
    for (const [name, count] of Object.entries(last)) peak[name] = Math.max(peak[name] ?? 0, count);
    if (Object.entries(last).every(([name, count]) => count <= (baseline[name] ?? 0) + FD_SLACK)) return { recoveryMs: Date.now() - started, peak };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`open fds not back to baseline ${JSON.stringify(baseline)} within ${RECOVERY_DEADLINE_MS} ms: still ${JSON.stringify(last)}`);
}

describe.runIf(existsSync('/proc/self/fd')).each(clientStacks)('tunnel churn (%s)', (clientStack) => {
  test(`${RESETS} client resets during setup: tunnel and agent fds return to baseline, every connection counted`, { timeout: 90_000 }, async () => {
    const target = await startEchoServer();
    const { connectionString } = await startRelayProcess();
    const env = { HCBENCH_CONNECTION_STRING: connectionString };
    const agent = startHcbench(['agent', '--target', `127.0.0.1:${target.address.port}`, '--json', '--client-stack', clientStack], env);
    await agent.firstJson();
    const tunnel = startHcbench(['tunnel', '--json', '--client-stack', clientStack], env);
    const { port } = await tunnel.firstJson<{ port: number }>();
    const pids = { tunnel: tunnel.pid, agent: agent.pid };
    const baseline = { tunnel: openFds(tunnel.pid), agent: openFds(agent.pid) };

    await churn(port);
    const { recoveryMs, peak } = await waitForBaseline(pids, baseline);
    expect(await tunnel.interrupt()).toBe(0);
    expect(await agent.interrupt()).toBe(0);

    const stopped = JSON.parse(tunnel.stdoutLines.find((l) => l.includes('"stopped"')) ?? '{}') as { stats?: { connectionsAccepted: number; connectionsActive: number } };
    expect(stopped.stats).toMatchObject({ connectionsAccepted: RESETS, connectionsActive: 0 });
    // Recorded for the report (vitest prints it with --reporter=verbose); the bound is the deadline above.
    console.info(`${clientStack}: fds baseline ${JSON.stringify(baseline)}, peak after churn ${JSON.stringify(peak)}, back in ${recoveryMs} ms`);
    expect(recoveryMs).toBeLessThan(RECOVERY_DEADLINE_MS);
  });
});
