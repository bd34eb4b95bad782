// Connection churn against the real processes (hcbench relay, agent, tunnel): clients that reset
// while their relayed WebSocket is still being set up must not leave sockets behind. The tunnel
// and agent file-descriptor counts (/proc/<pid>/fd) must return to their baseline within a
// deadline, on both client stacks (ws 1.1.5 inside hyco-ws used to keep 300+ relay sockets in
// CLOSE-WAIT for its 30 s close timeout). Linux only.
// Also run with `ulimit -n 256` on both processes (issue #13: 500 resets during setup must not reach
// EMFILE): that case is KNOWN TO FAIL and skipped until the tunnel bounds the descriptors a burst
// of setups holds. Measured on 2026-11-30: without the limit the fds peak at tunnel 548 / agent
// 512 (hyco-ws) and 773 / 599 (ws8) before returning to baseline in 1-2 s; with the limit the
// tunnel accepts only 173-308 of the 500 (libuv drops the rest at EMFILE) and, once, ws8 kept 26
// extra fds past the 15 s deadline. Un-skip it (LOW_LIMIT_KNOWN_TO_FAIL) with the fix.

import { existsSync, readFileSync } from 'node:fs';
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
/** The open-file limit of the low-limit case (`ulimit -n`): below the 500+ descriptors a burst holds today. */
const FD_LIMIT = 256;
const LOW_LIMIT_KNOWN_TO_FAIL = true;

/** The soft open-file limit a live process runs with (/proc/<pid>/limits). */
function openFileLimit(pid: number): number {
  const match = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return Number(match?.[1]);
}

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

const cases = clientStacks.flatMap((clientStack) => [
  { clientStack, fdLimit: undefined },
  { clientStack, fdLimit: FD_LIMIT },
]);

describe.runIf(existsSync('/proc/self/fd')).each(cases)('tunnel churn ($clientStack, fd limit $fdLimit)', ({ clientStack, fdLimit }) => {
  test.skipIf(fdLimit !== undefined && LOW_LIMIT_KNOWN_TO_FAIL)(`${RESETS} client resets during setup: no EMFILE, tunnel and agent fds return to baseline, every connection counted`, { timeout: 90_000 }, async () => {
    const shellPrefix = fdLimit === undefined ? undefined : `ulimit -n ${fdLimit};`;
    const target = await startEchoServer();
    const { connectionString } = await startRelayProcess();
    const env = { HCBENCH_CONNECTION_STRING: connectionString };
    const agent = startHcbench(['agent', '--target', `127.0.0.1:${target.address.port}`, '--json', '--client-stack', clientStack], env, shellPrefix);
    await agent.firstJson();
    const tunnel = startHcbench(['tunnel', '--json', '--client-stack', clientStack], env, shellPrefix);
    const { port } = await tunnel.firstJson<{ port: number }>();
    const pids = { tunnel: tunnel.pid, agent: agent.pid };
    const baseline = { tunnel: openFds(tunnel.pid), agent: openFds(agent.pid) };
    if (fdLimit !== undefined) expect({ tunnel: openFileLimit(tunnel.pid), agent: openFileLimit(agent.pid) }).toEqual({ tunnel: fdLimit, agent: fdLimit });

    await churn(port);
    const { recoveryMs, peak } = await waitForBaseline(pids, baseline);
    expect(await tunnel.interrupt()).toBe(0);
    expect(await agent.interrupt()).toBe(0);

    const stopped = JSON.parse(tunnel.stdoutLines.find((l) => l.includes('"stopped"')) ?? '{}') as { stats?: { connectionsAccepted: number; connectionsActive: number } };
    // At EMFILE libuv accepts and drops connections silently: the accepted count is what shows it.
    expect(stopped.stats).toMatchObject({ connectionsAccepted: RESETS, connectionsActive: 0 });
    for (const [name, role] of Object.entries({ tunnel, agent })) expect(`${role.stdoutLines.join('\n')}\n${role.stderr()}`, name).not.toMatch(/EMFILE|too many open files/i);
    // Recorded for the report (vitest prints it with --reporter=verbose); the bound is the deadline above.
    console.info(`${clientStack}, fd limit ${fdLimit ?? 'none'}: fds baseline ${JSON.stringify(baseline)}, peak after churn ${JSON.stringify(peak)}, back in ${recoveryMs} ms`);
    expect(recoveryMs).toBeLessThan(RECOVERY_DEADLINE_MS);
  });
});
