// Ctrl-C during a run, in each phase: the real executable gets a real SIGINT during setup, during a
// step and during result writing; it finishes by itself within the stated bound (README: 2 s after
// the step stopped, the step's drain at most 5 s), exits 130, says what it was doing, leaves a valid
// result where one was measured, and no role process survives. The phase is known from the child's
// own output (and, for setup and writing, from a real server or FIFO it is blocked on), never by
// sleeping.

import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { interruptBoundMs } from '../../src/cli/main.js';
import type { RunResult } from '../../src/metrics/result.js';
import { INTERRUPT_BUDGET_MS } from '../../src/bounded.js';
import { BIN, childPids, spawnCli, type CliChild } from '../helpers/cli-child.js';
import { waitGone } from '../helpers/processes.js';

/** The bin's own last-resort exit prints this; a command that needed it did not honour its bound. */
const FAILSAFE = /still running \d+ ms after Ctrl-C/;
const RUN_BOUND_MS = interruptBoundMs(['run']);

/** Cleanup after a failed assertion: SIGKILL a process that should be gone already. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone, as it should be
  }
}

async function expectAllGone(pids: readonly number[]): Promise<void> {
  for (const pid of pids) expect(await waitGone(pid, 5_000), `role process ${pid} outlived the run`).toBe(true);
}

describe('Ctrl-C during a run', () => {
  test('during setup, with the role process frozen (SIGSTOP): stops within the bound, names the wait it cut short, exits 130, no role process survives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-sigint-setup-'));
    // A relay that takes the agent's connection and never answers: setup waits on it for sure.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    const agentConnected = once(silent, 'connection');
    let roles: number[] = [];
    try {
      const scenario = join(dir, 'silent-relay.yaml');
      await writeFile(
        scenario,
        [
          'name: silent-relay',
          'target: { kind: tcp-request-response }',
          'paths:',
          '  - kind: relay-azure',
          '    connectionStringEnv: HCBENCH_TEST_SILENT_RELAY',
          'workload: { kind: tcp-request-response, connections: 1, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64 }',
          'durationMs: 1000',
          'warmupMs: 0',
        ].join('\n'),
      );
      const child = spawnCli(['run', scenario, '--results-dir', join(dir, 'results')], {
        env: { HCBENCH_TEST_SILENT_RELAY: `Endpoint=ws://127.0.0.1:${port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=c2lsZW50LXJlbGF5LWtleQ==;EntityPath=hc` },
      });
      await agentConnected;
      roles = childPids(child.pid);
      expect(roles.length, 'the onprem role process runs during setup').toBeGreaterThan(0);
      // And it is stuck for good: it answers nothing, not even `stop` (it must be killed in time).
      for (const pid of roles) process.kill(pid, 'SIGSTOP');
      const sentAt = performance.now();
      child.process.kill('SIGINT');
      const exit = await child.exited;

      expect(exit.code, child.stderr()).toBe(130);
      // No step was running: only the interrupt budget applies.
      expect(exit.atMs - sentAt).toBeLessThan(INTERRUPT_BUDGET_MS);
      expect(child.stderr()).not.toMatch(FAILSAFE);
      expect(child.stderr()).toContain('interrupted during setup');
      expect(child.stderr()).toMatch(/onprem process \(pid \d+\) startAgent/);
      expect(child.stderr()).not.toContain('c2lsZW50LXJlbGF5LWtleQ');
      await expectAllGone(roles);
    } finally {
      for (const pid of roles) killQuietly(pid);
      for (const socket of held) socket.destroy();
      silent.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('during a step: exits 130 within the bound and leaves a valid aborted result that report renders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-sigint-step-'));
    try {
      const child = spawnCli(['run', 'scenarios/ci-smoke.yaml', '--duration-ms', '30000', '--warmup-ms', '100', '--results-dir', dir]);
      // The first live interval line: the step is measuring.
      await child.waitForStderr(/^ {4}\S+ 1 s: /m, 60_000);
      const sentAt = performance.now();
      child.process.kill('SIGINT');
      const exit = await child.exited;

      expect(exit.code, child.stderr()).toBe(130);
      expect(exit.atMs - sentAt).toBeLessThan(RUN_BOUND_MS);
      expect(child.stderr()).not.toMatch(FAILSAFE);
      expect(child.stderr()).toContain('interrupted: finishing the current step');
      expect(child.stdout()).toContain('interrupted');
      const [folder] = await readdir(dir);
      const file = join(dir, folder!, 'summary.json');
      const result = JSON.parse(await readFile(file, 'utf8')) as RunResult;
      expect(result.status).toBe('aborted');
      expect(result.abortReason).toBe('interrupted');
      expect(result.steps).toHaveLength(1);
      expect(result.steps[0]?.status).toBe('aborted');
      const report = await promisify(execFile)(process.execPath, [BIN, 'report', file, '--format', 'html']);
      expect(report.stdout).toContain('<html');
      await expectAllGone(Object.entries(result.environment.rolePids).filter(([role]) => role !== 'app').map(([, pid]) => pid));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('during a step whose role processes are frozen (SIGSTOP): counters and teardown are cut at the bound, the processes killed, the result written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-sigint-frozen-'));
    let roles: number[] = [];
    try {
      const child = spawnCli(['--verbose', 'run', 'scenarios/ci-smoke.yaml', '--duration-ms', '30000', '--warmup-ms', '100', '--results-dir', dir]);
      await child.waitForStderr(/^ {4}\S+ 1 s: /m, 60_000);
      roles = childPids(child.pid);
      expect(roles.length, 'onprem, cloud and app-relay-client role processes').toBe(3);
      // Real stuck processes: they hold their sockets but answer nothing, not even `stop`.
      for (const pid of roles) process.kill(pid, 'SIGSTOP');
      const sentAt = performance.now();
      child.process.kill('SIGINT');
      const exit = await child.exited;

      expect(exit.code, child.stderr()).toBe(130);
      expect(exit.atMs - sentAt).toBeLessThan(RUN_BOUND_MS);
      expect(child.stderr()).not.toMatch(FAILSAFE);
      // Each cut-short wait is named: the counters (role processes by pid) and the teardown.
      expect(child.stderr()).toMatch(/could not read counters of \S+: the counters of \S+ \(.*pid \d+.*\) did not finish within \d+ ms of the interrupt/);
      expect(child.stderr()).toMatch(/closing the network paths did not finish within \d+ ms of the interrupt; killing the role processes/);
      const [folder] = await readdir(dir);
      const result = JSON.parse(await readFile(join(dir, folder!, 'summary.json'), 'utf8')) as RunResult;
      expect(result.status).toBe('aborted');
      expect(result.steps[0]?.status).toBe('aborted');
      await expectAllGone(roles);
    } finally {
      for (const pid of roles) killQuietly(pid);
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('during result writing: gives a stuck write the interrupt budget, names the file, exits 130; the result is complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-sigint-write-'));
    let child: CliChild | undefined;
    try {
      const out = join(dir, 'out');
      await mkdir(out);
      child = spawnCli([
        'run', 'scenarios/ci-smoke.yaml', '--duration-ms', '300', '--warmup-ms', '0', '--repetitions', '1',
        '--results-dir', join(dir, 'results'), '--md', join(out, 'summary.md'),
      ]);
      // The Markdown file is written through `.<name>.<pid>.tmp`: as a FIFO nobody reads yet, that
      // write blocks, so the child is certainly writing when the SIGINT comes.
      const fifo = join(out, `.summary.md.${child.pid}.tmp`);
      execFileSync('mkfifo', [fifo]);
      // Writing has begun; the Markdown file (written last) blocks until the FIFO is read.
      await child.waitForStderr(/^writing results to /m, 90_000);
      const sentAt = performance.now();
      child.process.kill('SIGINT');
      const gaveUp = `writing ${join(out, 'summary.md')} did not finish within ${INTERRUPT_BUDGET_MS} ms of the interrupt`;
      await child.waitForStderr(new RegExp(gaveUp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), RUN_BOUND_MS);
      const gaveUpAfterMs = performance.now() - sentAt;
      // Node joins its I/O threads at exit, so the blocked open must end: open the FIFO's other end.
      await readFile(fifo, 'utf8');
      const exit = await child.exited;

      expect(exit.code, child.stderr()).toBe(130);
      expect(gaveUpAfterMs).toBeGreaterThanOrEqual(INTERRUPT_BUDGET_MS - 100);
      expect(gaveUpAfterMs).toBeLessThan(RUN_BOUND_MS);
      expect(child.stderr()).not.toMatch(FAILSAFE);
      // The abandoned write never replaced the target: no half-written summary.md.
      expect(existsSync(join(out, 'summary.md'))).toBe(false);
      const [folder] = await readdir(join(dir, 'results'));
      const result = JSON.parse(await readFile(join(dir, 'results', folder!, 'summary.json'), 'utf8')) as RunResult;
      expect(result.status).toBe('completed');
      expect(result.steps.map((s) => s.status)).toEqual(['completed', 'completed']);
      await expectAllGone(Object.entries(result.environment.rolePids).filter(([role]) => role !== 'app').map(([, pid]) => pid));
    } finally {
      // A failed assertion must not leave the child blocked on the FIFO.
      if (child !== undefined && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
