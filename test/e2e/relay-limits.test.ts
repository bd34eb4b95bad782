// Scenarios over the relay's limits: warned about before any path starts, and the refusals the
// emulator makes (403 QuotaExceeded for connections, 403 for the 26th listener) are counted by
// kind during the run, which still completes.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';

/** Runs a scenario given as text; returns stderr and the parsed result. */
async function runScenario(text: string): Promise<{ stderr: string; result: RunResult }> {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-limits-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, text);
  const { stdout, stderr } = await runCli(['run', file, '--json', '--no-save'], { signal: AbortSignal.timeout(150_000) });
  return { stderr, result: JSON.parse(stdout) as RunResult };
}

/** The warning must be out before the first path starts. */
function expectWarnedFirst(stderr: string, warning: string): void {
  const warningAt = stderr.indexOf(warning);
  expect(warningAt, stderr).toBeGreaterThanOrEqual(0);
  expect(warningAt).toBeLessThan(stderr.indexOf('starting paths'));
}

describe('relay limits', () => {
  test('over the connection quota: a warning first, then refused connections counted by kind', async () => {
    const { stderr, result } = await runScenario(`name: over-quota
target: { kind: tcp-request-response }
paths:
  - { kind: relay-emulated, maxConnections: 2 }
workload: { kind: tcp-request-response, connections: 4, roundTripsPerTransaction: 2 }
durationMs: 800
warmupMs: 100
`);

    expectWarnedFirst(stderr, 'more than the 2 the namespace allows');
    const step = result.steps[0]!;
    expect(step.status).toBe('completed');
    if (step.status !== 'completed') return;
    expect(step.metrics.counters.transactions).toBeGreaterThan(0);
    const errors = Object.values(step.metrics.counters.errors).reduce((a, b) => a + (b ?? 0), 0);
    const retried = Object.values(step.metrics.counters.retriedErrors ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    expect(errors + retried).toBeGreaterThan(0);
    const counters = result.pathCounters?.['relay-emulated'] as {
      relay: { rejects: Record<string, number> };
      forwarder: { errors: Record<string, number> };
    };
    expect(counters.relay.rejects['connection-quota']).toBeGreaterThan(0);
    expect(counters.forwarder.errors['relay-403']).toBeGreaterThan(0);
  }, 120_000);

  test('26 agents: a warning first, then the 26th listener is refused and counted; the run completes on 25', async () => {
    const { stderr, result } = await runScenario(`name: over-listeners
target: { kind: tcp-request-response }
paths:
  - { kind: relay-emulated, agents: 26 }
workload: { kind: connection-churn, connections: 2 }
durationMs: 800
warmupMs: 100
`);

    expectWarnedFirst(stderr, '26 listeners on one hybrid connection, more than the 25');
    expect(result.steps[0]?.status).toBe('completed');
    const counters = result.pathCounters?.['relay-emulated'] as {
      relay: { rejects: Record<string, number>; listenersByHc: Record<string, number> };
      listenersRefused: number;
      listenerRefusals: string[];
    };
    expect(counters.listenersRefused).toBe(1);
    expect(counters.listenerRefusals[0]).toContain('relay-403');
    expect(counters.relay.rejects['listener-limit']).toBeGreaterThanOrEqual(1);
    expect(Object.values(counters.relay.listenersByHc)[0]).toBe(25);
  }, 180_000);
});
