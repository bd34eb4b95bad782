// `hcbench run --rehearse`: a user's real scenario file, unchanged, with their production connection
// string in the environment, runs its relay-azure path against the emulator answering as that
// string's namespace and hybrid connection (REHEARSAL in the result); the string's key is never used
// or shown. Unreadable strings are usage errors naming the variable. Real role processes, 127.0.0.1.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { RunResult } from '../../src/metrics/result.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const NS = 'fabrikam-hc.servicebus.windows.net';
const KEY = 'c2VjcmV0LWtleS1vZi10aGUtdXNlci1ub3QtdXNlZC0x';
const PRODUCTION = `Endpoint=sb://${NS}/;SharedAccessKeyName=defaultSender;SharedAccessKey=${KEY};EntityPath=orders`;
const dir = mkdtempSync(join(tmpdir(), 'hcbench-rehearse-'));
const scenarioFile = join(dir, 'production.yaml');
// As a user would keep it for Azure: connection string from the environment, nothing rehearsal-specific
// (one path: with a direct path too, a loaded machine can make the overhead verdict untrusted, exit 7).
writeFileSync(
  scenarioFile,
  `name: production
target: { kind: tcp-request-response }
paths: [{ kind: relay-azure, id: azure, connectionStringEnv: ORDERS_RELAY }]
workload: { kind: tcp-request-response, connections: 2, requestBytes: 64, responseBytes: 128, durationMs: 500, warmupMs: 100 }
`,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hcbench run --rehearse', () => {
  test("runs the relay-azure path against the emulator as the connection string's namespace and hybrid connection; the key is never shown", async () => {
    const run = await runCli(['run', scenarioFile, '--rehearse', '--json', '--no-save'], { env: { ORDERS_RELAY: PRODUCTION }, signal: AbortSignal.timeout(90_000) });
    expect(run.stderr).toContain(`path azure: REHEARSAL as ${NS}`);
    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.status).toBe('completed');
    const step = result.steps.find((s) => s.pathId === 'azure');
    if (step?.status !== 'completed') throw new Error(`azure step did not complete: ${JSON.stringify(step)}`);
    expect(step.metrics.counters.transactions).toBeGreaterThan(0);
    expect(step.metrics.counters.errors).toEqual({});
    expect(result.topology?.paths).toContainEqual(expect.objectContaining({ id: 'azure', kind: 'relay-azure', rehearsal: NS }));
    expect(result.environment.roles['azure.relay']).toMatch(/^REHEARSAL: .* fabrikam-hc\.servicebus\.windows\.net .*not Azure$/);
    // The emulator served the hybrid connection the string names (EntityPath), one listener, every connection bridged.
    const relay = (result.pathCounters?.['azure'] as { relay?: { listenersTotal: number; listenersByHc: Record<string, number>; bridgesTotal: number } }).relay;
    expect(relay?.listenersTotal).toBe(1);
    expect(Object.keys(relay?.listenersByHc ?? {})).toEqual(['orders']);
    expect(relay?.bridgesTotal).toBe(step.metrics.counters.connectionsOpened + (step.metrics.warmupCounters?.connectionsOpened ?? 0));
    // Token upkeep is counted in the result: one sender token for a short run, no listen renewal due yet (every 50 min).
    const counters = result.pathCounters?.['azure'] as { agent?: { tokenRenewalsSent?: number }; forwarder?: { tokensSigned?: number } };
    expect(counters.forwarder?.tokensSigned).toBe(1);
    expect(counters.agent?.tokenRenewalsSent).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(run.stdout + run.stderr).not.toMatch(/SharedAccessKey=|sig=/);
  }, 120_000);

  test('an unset variable rehearses as the default namespace and says so', async () => {
    const run = await runCli(['run', scenarioFile, '--rehearse', '--json', '--no-save', '--duration-ms', '200', '--warmup-ms', '0'], { signal: AbortSignal.timeout(90_000) });
    expect(run.stderr).toContain('path azure: ORDERS_RELAY is not set; rehearsing as hcbench-rehearsal.servicebus.windows.net');
    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    expect((JSON.parse(run.stdout) as RunResult).topology?.paths).toContainEqual(expect.objectContaining({ id: 'azure', rehearsal: 'hcbench-rehearsal.servicebus.windows.net' }));
  }, 120_000);

  test.each([
    ['an emulator address', `Endpoint=ws://127.0.0.1:9/;SharedAccessKeyName=k;SharedAccessKey=${KEY};EntityPath=orders`, 'names 127.0.0.1, not a namespace host name'],
    ['a string without EntityPath', `Endpoint=sb://${NS}/;SharedAccessKeyName=k;SharedAccessKey=${KEY}`, 'has no EntityPath'],
  ])('%s is a usage error naming the variable, never the key', async (_what, value, message) => {
    const run = await runCli(['run', scenarioFile, '--rehearse', '--no-save'], { env: { ORDERS_RELAY: value } });
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('--rehearse: path azure: the connection string in ORDERS_RELAY');
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain(KEY);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
