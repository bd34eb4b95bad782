// Dress rehearsal for real Azure, as separate processes: `hcbench relay --tls --as <ns>` prints
// portal-shaped sb:// connection strings; the agent (Listen-only string) and the tunnel (Send-only
// string) reach it by name through --resolve and the printed CA, and the stock redis-cli works
// through them. A Send-only string cannot listen (403, the Listen right named). Needs redis-server
// and redis-cli (skipped otherwise). Only 127.0.0.1.

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { describe, expect, onTestFinished, test } from 'vitest';
import { freePort } from '../helpers/tunnel-targets.js';

const run = promisify(execFile);
const hasRedis = ['redis-server', 'redis-cli'].every((binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0);
const requirement = hasRedis ? '' : ' [SKIPPED: needs apt packages redis-server and redis-tools]';
const NS = 'contoso-hc.servicebus.windows.net';

interface Started {
  child: ChildProcess;
  stdoutLines: string[];
  stderr: () => string;
}

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
  return start(process.execPath, ['dist/cli/bin.js', ...args], env);
}

async function firstJsonLine<T>(started: Started, timeoutMs = 30_000): Promise<T> {
  await expect.poll(() => started.stdoutLines.find((l) => l.startsWith('{')), { timeout: timeoutMs, interval: 50 }).toBeDefined();
  return JSON.parse(started.stdoutLines.find((l) => l.startsWith('{')) ?? '{}') as T;
}

async function interrupt(started: Started): Promise<number | null> {
  const exited = once(started.child, 'exit');
  started.child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

interface Banner {
  caCertPath: string;
  rehearsal: { host: string; resolve: string };
  connectionStrings: Record<string, { listen: string; send: string; manage: string }>;
}

const keyOf = (text: string): string => /SharedAccessKey=([^;]+)/.exec(text)?.[1] ?? 'no key found';

describe(`hcbench relay --tls --as ${NS}`, () => {
  test.skipIf(!hasRedis)(`agent (Listen-only) and tunnel (Send-only) work by name through --resolve with redis-cli${requirement}`, async () => {
    const redisPort = await freePort();
    const redis = start('redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no']);
    const relay = hcbench(['relay', '--tls', '--as', NS, '--hc', 'orders', '--json']);
    const banner = await firstJsonLine<Banner>(relay);
    const strings = banner.connectionStrings['orders'];
    expect(banner.rehearsal.host).toBe(NS);
    expect(banner.rehearsal.resolve).toMatch(new RegExp(`^${NS.replace(/\./g, '\\.')}:443:127\\.0\\.0\\.1:\\d+$`));
    expect(strings?.listen).toMatch(new RegExp(`^Endpoint=sb://${NS}/;SharedAccessKeyName=defaultListener;SharedAccessKey=[^;]+;EntityPath=orders$`));
    expect(strings?.send).toMatch(/SharedAccessKeyName=defaultSender;/);
    expect(strings?.manage).toMatch(/SharedAccessKeyName=RootManageSharedAccessKey;/);
    const trust = { NODE_EXTRA_CA_CERTS: banner.caCertPath };
    const resolve = ['--resolve', banner.rehearsal.resolve];

    const agent = hcbench(['agent', '--target', `127.0.0.1:${redisPort}`, '--json', ...resolve], { ...trust, HCBENCH_CONNECTION_STRING: strings?.listen ?? '' });
    await firstJsonLine(agent);
    const tunnel = hcbench(['tunnel', '--json', ...resolve], { ...trust, HCBENCH_CONNECTION_STRING: strings?.send ?? '' });
    const { port } = await firstJsonLine<{ port: number }>(tunnel);
    // A Send-only string used for listening is refused, and the agent says which right is missing.
    const wrongAgent = hcbench(['agent', '--target', `127.0.0.1:${redisPort}`, '--run-ms', '2500', ...resolve], { ...trust, HCBENCH_CONNECTION_STRING: strings?.send ?? '' });
    await expect.poll(() => redis.stdoutLines.some((l) => l.includes('Ready to accept connections')), { timeout: 10_000 }).toBe(true);
    const cli = ['-h', '127.0.0.1', '-p', String(port)];
    const set = await run('redis-cli', [...cli, 'SET', 'hcbench:rehearsal', 'by name'], { timeout: 15_000 });
    const get = await run('redis-cli', [...cli, 'GET', 'hcbench:rehearsal'], { timeout: 15_000 });
    await once(wrongAgent.child, 'exit');
    const tunnelExit = await interrupt(tunnel);
    const agentExit = await interrupt(agent);
    const relayExit = await interrupt(relay);

    expect(set.stdout.trim()).toBe('OK');
    expect(get.stdout.trim()).toBe('by name');
    expect([tunnelExit, agentExit, relayExit]).toEqual([0, 0, 0]);
    for (const endpoint of [agent, tunnel]) expect(endpoint.stderr()).toContain(`resolve override: ${banner.rehearsal.resolve}`);
    expect(wrongAgent.stderr()).toMatch(/403 Forbidden: the key has no Listen right/);
    // The refused agent retried with backoff (100 ms doubling), not in hyco-ws's hot loop (~450/s).
    const statsLine = relay.stderr().split('\n').find((l) => l.startsWith('relay stats ')) ?? '';
    const relayStats = JSON.parse(statsLine.slice('relay stats '.length)) as { rejects: Record<string, number> };
    expect(relayStats.rejects['forbidden']).toBeGreaterThanOrEqual(2);
    expect(relayStats.rejects['forbidden']).toBeLessThanOrEqual(10);
    const stopped = JSON.parse(tunnel.stdoutLines.at(-1) ?? '{}') as { stats?: { connectionsAccepted: number; connectionsFailed: number } };
    expect(stopped.stats).toMatchObject({ connectionsAccepted: 2, connectionsFailed: 0 });
    const logs = agent.stderr() + tunnel.stderr() + wrongAgent.stderr() + relay.stderr();
    for (const text of Object.values(strings ?? {})) expect(logs).not.toContain(keyOf(text));
  }, 90_000);

  test.each([
    ['without --tls', ['--as', NS], '--as needs --tls'],
    ['a name that is not DNS', ['--tls', '--as', 'not a host'], '--as not a host: not a DNS name'],
    ['with --namespace-file', ['--tls', '--as', NS, '--namespace-file', 'ns.yaml'], 'leave out --namespace-file'],
  ])('refuses --as %s with exit 2 and a message', async (_why, args, message) => {
    const relay = hcbench(['relay', ...args]);
    const [code] = (await once(relay.child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(relay.stderr()).toContain(message);
    expect(relay.stderr()).not.toMatch(/\n\s+at /);
  });

  test('the human banner names the rehearsal, the mapping, the CA and one string per right', async () => {
    const relay = hcbench(['relay', '--tls', '--as', NS, '--hc', 'orders']);
    await expect.poll(() => relay.stdoutLines.some((l) => l.startsWith('to go to Azure later')), { timeout: 30_000, interval: 50 }).toBe(true);
    const exit = await interrupt(relay);
    const text = relay.stdoutLines.join('\n');
    expect(exit).toBe(0);
    expect(text).toMatch(new RegExp(`^REHEARSAL: the relay emulator answers as ${NS.replace(/\./g, '\\.')} \\(this is NOT Azure\\) on 127\\.0\\.0\\.1:\\d+$`, 'm'));
    expect(text).toMatch(/--resolve contoso-hc\.servicebus\.windows\.net:443:127\.0\.0\.1:\d+ /);
    expect(text).toMatch(/^trust the CA: NODE_EXTRA_CA_CERTS=\S+ca\.pem /m);
    for (const rule of ['defaultListener', 'defaultSender', 'RootManageSharedAccessKey']) {
      expect(text).toMatch(new RegExp(`Endpoint=sb://${NS.replace(/\./g, '\\.')}/;SharedAccessKeyName=${rule};SharedAccessKey=[^;]+;EntityPath=orders$`, 'm'));
    }
    // Keys appear only in those three lines (stdout, asked for), never on stderr.
    for (const key of text.match(/SharedAccessKey=[^;]+/g) ?? []) expect(relay.stderr()).not.toContain(key.slice('SharedAccessKey='.length));
  });
});
