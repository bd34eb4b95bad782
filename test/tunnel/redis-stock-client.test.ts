// Stock clients through the tunnel: the Debian redis-cli and redis-benchmark binaries talk to a real
// redis-server through forwarder -> relay emulator -> agent. Needs the apt packages redis-server and
// redis-tools; skipped (with that reason in the test name) when they are missing.

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { describe, expect, onTestFinished, test } from 'vitest';
import { clientStacks } from '../../src/tunnel/client-stack.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { freePort } from '../helpers/tunnel-targets.js';

const run = promisify(execFile);
const hasRedis = ['redis-server', 'redis-cli', 'redis-benchmark'].every(
  (binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0,
);
const requirement = hasRedis ? '' : ' [SKIPPED: needs apt packages redis-server and redis-tools]';

/** Starts redis-server on a free 127.0.0.1 port without persistence; killed by PID at test end. */
async function startRedisServer(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return { port, child };
}

describe.each(clientStacks)('stock redis clients through the tunnel (%s)', (clientStack) => {
  test.skipIf(!hasRedis)(`redis-cli SET/GET and redis-benchmark ping/set/get work end to end${requirement}`, async () => {
    const redis = await startRedisServer();
    const path = await startTunnelRelay({}, { clientStack });
    const agent = await path.agent({ host: '127.0.0.1', port: redis.port });
    const forwarder = await path.forwarder();
    const cli = ['-h', '127.0.0.1', '-p', String(forwarder.address.port)];

    const set = await run('redis-cli', [...cli, 'SET', 'hcbench:key', 'relayed value'], { timeout: 10_000 });
    const get = await run('redis-cli', [...cli, 'GET', 'hcbench:key'], { timeout: 10_000 });
    const bench = await run('redis-benchmark', [...cli, '-t', 'ping,set,get', '-n', '2000', '-c', '8', '-q'], { timeout: 60_000 });

    expect(set.stdout.trim()).toBe('OK');
    expect(get.stdout.trim()).toBe('relayed value');
    const rates = [...bench.stdout.matchAll(/^(\w+): ([\d.]+) requests per second/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rates.map(([name]) => name)).toEqual(['PING_INLINE', 'PING_MBULK', 'SET', 'GET']);
    for (const [, rate] of rates) expect(rate).toBeGreaterThan(0);
    await expect.poll(() => forwarder.stats().connectionsActive).toBe(0);
    const stats = forwarder.stats();
    expect(stats.connectionsFailed).toBe(0);
    expect(stats.connectionsAccepted).toBeGreaterThanOrEqual(2 + 8);
    expect(agent.stats().targetConnectionsOpened).toBe(stats.connectionsAccepted);
  }, 90_000);
});
