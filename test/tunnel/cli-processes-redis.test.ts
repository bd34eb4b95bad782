// The quick-start story for real clients, as separate processes started "by hand": `hcbench relay`,
// `hcbench agent --target <redis>`, `hcbench tunnel`, then the stock redis-cli and redis-benchmark
// through the tunnel port. Needs apt packages redis-server and redis-tools (skipped otherwise).

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { describe, expect, onTestFinished, test } from 'vitest';
import { freePort } from '../helpers/tunnel-targets.js';

const run = promisify(execFile);
const hasRedis = ['redis-server', 'redis-cli', 'redis-benchmark'].every(
  (binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0,
);
const requirement = hasRedis ? '' : ' [SKIPPED: needs apt packages redis-server and redis-tools]';

interface Started {
  child: ChildProcess;
  stdoutLines: string[];
  stderr: () => string;
}

/** Spawns a process, collects its output, and kills it by PID at test end if it is still running. */
function start(command: string, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(command, args, { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const started: Started = { child, stdoutLines: [], stderr: () => stderrText };
  let stderrText = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    started.stdoutLines.push(...lines);
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderrText += chunk.toString()));
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  });
  return started;
}

function hcbench(args: string[], env: Record<string, string> = {}): Started {
  return start(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], env);
}

async function firstJsonLine<T>(started: Started, timeoutMs = 30_000): Promise<T> {
  await expect.poll(() => started.stdoutLines.find((l) => l.startsWith('{')), { timeout: timeoutMs, interval: 100 }).toBeDefined();
  return JSON.parse(started.stdoutLines.find((l) => l.startsWith('{')) ?? '{}') as T;
}

/** Sends Ctrl-C and resolves with the exit code. */
async function interrupt(started: Started): Promise<number | null> {
  const exited = once(started.child, 'exit');
  started.child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

describe('hcbench relay + agent + tunnel as processes', () => {
  test.skipIf(!hasRedis)(`redis-cli and redis-benchmark work through the tunnel port${requirement}`, async () => {
    const redisPort = await freePort();
    const redis = start('redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no']);
    const relay = hcbench(['relay', '--hc', 'hc1', '--json']);
    const { connectionStrings } = await firstJsonLine<{ connectionStrings: Record<string, string> }>(relay);
    const env = { HCBENCH_CONNECTION_STRING: connectionStrings['hc1'] ?? '' };
    const agent = hcbench(['agent', '--target', `127.0.0.1:${redisPort}`, '--json'], env);
    await firstJsonLine(agent);
    const tunnel = hcbench(['tunnel', '--json'], env);
    const { port } = await firstJsonLine<{ port: number }>(tunnel);
    await expect.poll(() => redis.stdoutLines.some((l) => l.includes('Ready to accept connections')), { timeout: 10_000 }).toBe(true);
    const cli = ['-h', '127.0.0.1', '-p', String(port)];

    const set = await run('redis-cli', [...cli, 'SET', 'hcbench:cli', 'through three processes'], { timeout: 15_000 });
    const get = await run('redis-cli', [...cli, 'GET', 'hcbench:cli'], { timeout: 15_000 });
    const bench = await run('redis-benchmark', [...cli, '-t', 'ping,get', '-n', '1000', '-c', '4', '-q'], { timeout: 60_000 });
    const tunnelExit = await interrupt(tunnel);
    const agentExit = await interrupt(agent);
    const relayExit = await interrupt(relay);

    expect(set.stdout.trim()).toBe('OK');
    expect(get.stdout.trim()).toBe('through three processes');
    expect(bench.stdout).toMatch(/GET: [\d.]+ requests per second/);
    expect([tunnelExit, agentExit, relayExit]).toEqual([0, 0, 0]);
    const stopped = JSON.parse(tunnel.stdoutLines.at(-1) ?? '{}') as { stats?: { connectionsAccepted: number; connectionsFailed: number } };
    expect(stopped.stats?.connectionsFailed).toBe(0);
    expect(stopped.stats?.connectionsAccepted).toBeGreaterThanOrEqual(2 + 4);
    expect(agent.stderr() + tunnel.stderr()).not.toContain(/SharedAccessKey=([^;]+)/.exec(env.HCBENCH_CONNECTION_STRING)?.[1] ?? 'x');
  }, 120_000);
});
