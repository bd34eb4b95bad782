// `hcbench agent` stops when told, also while it cannot register: --run-ms counts from the start,
// and Ctrl-C prints the agent's own notice (not the `run` command's) and ends within the bound.
// Real `hcbench relay` and `hcbench agent` processes.

import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { interruptBoundMs } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { spawnCli } from '../helpers/cli-child.js';

const KEY = 'd3JvbmctYnV0LXdlbGwtZm9ybWVkLWtleS0xMjM0NTY=';
const AGENT_BOUND_MS = interruptBoundMs(['agent']);

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function withRelay<T>(use: (connectionString: string) => Promise<T>): Promise<T> {
  const relay = spawnCli(['relay', '--json']);
  try {
    const [line] = (await once(relay.process.stdout, 'data')) as [Buffer];
    const cs = (JSON.parse(line.toString().split('\n')[0] ?? '') as { connectionStrings: Record<string, string> }).connectionStrings['hcbench'];
    if (cs === undefined) throw new Error(`relay printed no connection string: ${line.toString()}`);
    return await use(cs);
  } finally {
    relay.process.kill('SIGINT');
    await relay.exited;
  }
}

describe('hcbench agent stops', () => {
  test('--run-ms 500 while the relay rejects its key: stops by itself, saying why it never listened', async () => {
    await withRelay(async (cs) => {
      const wrong = cs.replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${KEY}`);
      const agent = spawnCli(['agent', '--target', '127.0.0.1:1', '--run-ms', '500', '--connection-string-env', 'HCBENCH_TEST_AGENT_CS'], {
        env: { HCBENCH_TEST_AGENT_CS: wrong },
      });
      const exit = await agent.exited;
      expect(exit.code, agent.stderr()).toBe(ExitCode.SetupFailed);
      expect(agent.stderr()).toContain('agent: stopped by --run-ms 500: agent start aborted before it could listen; last attempt: 401 Unauthorized');
      expect(agent.stderr()).not.toContain(KEY.slice(0, 12));
    });
  }, 60_000);

  test('Ctrl-C while it cannot reach the relay: the agent notice, ends within the bound', async () => {
    const port = await closedPort();
    const agent = spawnCli(['agent', '--target', '127.0.0.1:1', '--connection-string-env', 'HCBENCH_TEST_AGENT_CS'], {
      env: { HCBENCH_TEST_AGENT_CS: `Endpoint=ws://127.0.0.1:${port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${KEY};EntityPath=hc` },
    });
    await agent.waitForStderr(/agent reconnecting: relay-unreachable \(ECONNREFUSED/, 30_000);
    const sentAt = performance.now();
    agent.process.kill('SIGINT');
    const exit = await agent.exited;
    expect(exit.code, agent.stderr()).toBe(ExitCode.SetupFailed);
    expect(exit.atMs - sentAt).toBeLessThan(AGENT_BOUND_MS);
    expect(agent.stderr()).toContain('interrupted: agent unregistering from the relay and stopping');
    expect(agent.stderr()).not.toContain('finishing the current step');
    expect(agent.stderr()).toContain('agent: stopped by Ctrl-C: agent start aborted before it could listen; last attempt: connection refused');
  }, 60_000);

  test('Ctrl-C while listening: unregisters and exits 0 within the bound', async () => {
    await withRelay(async (cs) => {
      const agent = spawnCli(['agent', '--target', '127.0.0.1:1', '--connection-string-env', 'HCBENCH_TEST_AGENT_CS'], { env: { HCBENCH_TEST_AGENT_CS: cs } });
      await agent.waitForStderr(/^agent: listening on hcbench/m, 30_000);
      const sentAt = performance.now();
      agent.process.kill('SIGINT');
      const exit = await agent.exited;
      expect(exit.code, agent.stderr()).toBe(ExitCode.Ok);
      expect(exit.atMs - sentAt).toBeLessThan(AGENT_BOUND_MS);
      expect(agent.stderr()).toContain('interrupted: agent unregistering from the relay and stopping');
      expect(agent.stderr()).toMatch(/agent: stopped; 0 connections/);
    });
  }, 60_000);
});
