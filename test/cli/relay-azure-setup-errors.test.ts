// A relay-azure path that cannot listen says why, within 5 s of the first failed attempt: an
// unresolvable namespace (DNS), a closed port (refused), a relay that rejects the key (401, a real
// `hcbench relay`) and one whose certificate is not trusted (TLS). Real sockets and processes.

import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { spawnCli, type CliChild } from '../helpers/cli-child.js';

const ENV = 'HCBENCH_TEST_AZURE_CS';
const KEY = 'd3JvbmctYnV0LXdlbGwtZm9ybWVkLWtleS0xMjM0NTY=';
let dir: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-azure-errors-'));
  scenario = join(dir, 'azure.yaml');
  await writeFile(
    scenario,
    [
      'name: azure-errors',
      'target: { kind: tcp-request-response }',
      'paths:',
      '  - kind: relay-azure',
      `    connectionStringEnv: ${ENV}`,
      'workload: { kind: tcp-request-response, connections: 1, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64 }',
      'durationMs: 1000',
      'warmupMs: 0',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the scenario against `connectionString`; returns exit code and stderr. */
async function runAgainst(connectionString: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(['run', scenario, '--no-save'], { env: { [ENV]: connectionString } });
  const exit = await child.exited;
  return { code: exit.code, stderr: child.stderr() };
}

/** The failure line must name the cause and show the agent gave up 5 s after its first failure. */
function expectCause(result: { code: number | null; stderr: string }, cause: RegExp, secret: string): void {
  expect(result.code, result.stderr).toBe(ExitCode.SetupFailed);
  expect(result.stderr).toMatch(/error\[ERR_PATH_SETUP\]: .*agent could not listen on the relay: /);
  expect(result.stderr).toMatch(cause);
  expect(result.stderr).toMatch(/\(relay-[a-z0-9-]+ error, \d+ attempts? in 5000 ms\)/);
  expect(result.stderr).not.toContain('did not get to listen within');
  expect(result.stderr).not.toContain(secret.slice(0, 12));
}

/** Starts a real `hcbench relay` child and reads its connection string. */
async function startRelayChild(args: string[]): Promise<{ child: CliChild; connectionString: string; stop: () => Promise<void> }> {
  const child = spawnCli(['relay', '--json', ...args]);
  const [line] = (await once(child.process.stdout, 'data')) as [Buffer];
  const connectionString = (JSON.parse(line.toString().split('\n')[0] ?? '') as { connectionStrings: Record<string, string> }).connectionStrings['hcbench'];
  if (connectionString === undefined) throw new Error(`relay printed no connection string: ${line.toString()}`);
  return {
    child,
    connectionString,
    stop: async () => {
      child.process.kill('SIGINT');
      await child.exited;
    },
  };
}

describe('relay-azure path that cannot listen', () => {
  test('unresolvable namespace: the DNS failure is the message', async () => {
    const cs = `Endpoint=sb://nonexistent.invalid/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${KEY};EntityPath=hc`;
    expectCause(await runAgainst(cs), /DNS: cannot resolve nonexistent\.invalid: ENOTFOUND/, KEY);
  }, 60_000);

  test('closed port: connection refused is the message', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const cs = `Endpoint=ws://127.0.0.1:${port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${KEY};EntityPath=hc`;
    expectCause(await runAgainst(cs), new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}: ECONNREFUSED`), KEY);
  }, 60_000);

  test('hcbench relay with a wrong key: 401 is the message', async () => {
    const relay = await startRelayChild([]);
    try {
      const wrong = relay.connectionString.replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${KEY}`);
      expect(wrong).not.toBe(relay.connectionString);
      expectCause(await runAgainst(wrong), /401 Unauthorized: the relay rejected the key/, KEY);
    } finally {
      await relay.stop();
    }
  }, 60_000);

  test('hcbench relay --tls whose CA is not trusted: the TLS failure is the message', async () => {
    const relay = await startRelayChild(['--tls']);
    try {
      const key = /SharedAccessKey=([^;]+)/.exec(relay.connectionString)?.[1] ?? '';
      expectCause(await runAgainst(relay.connectionString), /TLS failure with 127\.0\.0\.1:\d+: /, key);
    } finally {
      await relay.stop();
    }
  }, 60_000);
});
