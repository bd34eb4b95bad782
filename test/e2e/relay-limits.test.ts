// A scenario over the namespace's connection limit: warned about before any path starts, and
// the connections beyond it are refused by the emulator (403 QuotaExceeded) and counted as
// classified errors during the run, which still completes.

import { describe, expect, test } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';

describe('relay limits', () => {
  test('over the connection quota: a warning first, then refused connections counted by kind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-limits-'));
    try {
      const file = join(dir, 'over-quota.yaml');
      await writeFile(
        file,
        `name: over-quota
target: { kind: tcp-request-response }
paths:
  - { kind: relay-emulated, maxConnections: 2 }
workload: { kind: tcp-request-response, connections: 4, roundTripsPerTransaction: 2 }
durationMs: 800
warmupMs: 100
`,
      );

      const { stdout, stderr } = await runCli(['run', file, '--json', '--no-save'], { signal: AbortSignal.timeout(120_000) });

      const warningAt = stderr.indexOf('more than the 2 the namespace allows');
      expect(warningAt, stderr).toBeGreaterThanOrEqual(0);
      expect(warningAt).toBeLessThan(stderr.indexOf('starting paths'));
      const result = JSON.parse(stdout) as RunResult;
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('listener limit', () => {
  test('26 agents: a warning first, then the 26th listener is refused and counted; the run completes on 25', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-listeners-'));
    try {
      const file = join(dir, 'over-listeners.yaml');
      await writeFile(
        file,
        `name: over-listeners
target: { kind: tcp-request-response }
paths:
  - { kind: relay-emulated, agents: 26 }
workload: { kind: connection-churn, connections: 2 }
durationMs: 800
warmupMs: 100
`,
      );

      const { stdout, stderr } = await runCli(['run', file, '--json', '--no-save'], { signal: AbortSignal.timeout(150_000) });

      const warningAt = stderr.indexOf('26 listeners on one hybrid connection, more than the 25');
      expect(warningAt, stderr).toBeGreaterThanOrEqual(0);
      expect(warningAt).toBeLessThan(stderr.indexOf('starting paths'));
      const result = JSON.parse(stdout) as RunResult;
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
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
