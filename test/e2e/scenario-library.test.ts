// Every shipped scenario validates and runs end to end (durations shortened), on real processes.
// Scenarios against an external server run against a real redis-server started here, or are
// reported skipped (with the reason) when it is not installed.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { invalidRunReasons } from '../../src/analysis/run-validity.js';
import { thresholdsPassed } from '../../src/analysis/thresholds.js';
import { runCli } from '../helpers/cli.js';
import { hasRedisServer, REDIS_SKIP_REASON, startRedisServer } from '../helpers/target-redis.js';

const files = readdirSync('scenarios')
  .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'schema.json')
  .map((f) => `scenarios/${f}`);

function targetKind(file: string): string {
  return (parse(readFileSync(file, 'utf8')) as { target?: { kind?: string } }).target?.kind ?? '';
}

/** Latest planned fault time of a scenario's paths (0 without faults). */
function lastFaultAtMs(file: string): number {
  const paths = (parse(readFileSync(file, 'utf8')) as { paths?: { faults?: { atMs: number }[] }[] }).paths ?? [];
  return Math.max(0, ...paths.flatMap((p) => (p.faults ?? []).map((f) => f.atMs)));
}

async function runShortened(file: string, extra: string[] = []): Promise<void> {
  // Shortened, but long enough that every fault fires (agent-failover's stop-agent is at 3000 ms).
  const faultAtMs = lastFaultAtMs(file);
  const durationMs = faultAtMs === 0 ? 1000 : faultAtMs + 1000;
  const { exitCode, stdout, stderr } = await runCli(
    ['run', file, '--json', '--no-save', '--duration-ms', String(durationMs), '--warmup-ms', '100', '--repetitions', '1', ...extra],
    { signal: AbortSignal.timeout(120_000) },
  );

  const result = JSON.parse(stdout) as RunResult;
  expect(result.status, stderr).toBe('completed');
  // Whether a busy machine (2 cores, tests in parallel) slowed the generator or broke a latency
  // budget is in the result; the exit code must be exactly the one the result calls for.
  const thresholds = (result.scenario.resolved as Scenario).thresholds ?? [];
  const invalid = invalidRunReasons(result, thresholds);
  const scenario = parse(readFileSync(file, 'utf8')) as { thresholds?: unknown[] };
  expect(thresholds.length).toBe(scenario.thresholds?.length ?? 0);
  expect(result.thresholds?.length ?? 0).toBe(thresholds.length);
  const expected = invalid.length > 0 ? ExitCode.InvalidRun : thresholdsPassed(result.thresholds ?? []) ? ExitCode.Ok : ExitCode.ThresholdsFailed;
  expect(exitCode, stderr).toBe(expected);
  for (const reason of invalid) expect(stderr).toContain(`invalid run: ${reason}`);
  expect(result.steps.length).toBeGreaterThan(0);
  for (const step of result.steps) {
    expect(step.status, `${step.stepId}: ${JSON.stringify(step)}`.slice(0, 400)).toBe('completed');
    // Work was done in the window. In a saturated open model (pricing-database's relay path in a
    // shortened window) the completions may all be of arrivals queued during warm-up; and a
    // transaction of 40 round trips at 11 ms each may not finish in a 1 s window on a busy machine,
    // while its round trips do.
    if (step.status === 'completed') {
      const { transactions, completedInWindow, roundTrips } = step.metrics.counters;
      expect(Math.max(transactions, completedInWindow ?? 0, roundTrips), step.stepId).toBeGreaterThan(0);
    }
    // Faults fired and were undone: one inject per planned fault plus the undo, all ok.
    if (step.pathKind === 'relay-emulated' && faultAtMs > 0) {
      expect(step.faultEvents?.filter((e) => e.phase === 'inject').length ?? 0, step.stepId).toBeGreaterThan(0);
      expect(step.faultEvents?.every((e) => e.outcome === 'ok'), JSON.stringify(step.faultEvents)).toBe(true);
    }
  }
}

describe('scenario library', () => {
  test('ships the scenarios the issue asks for', () => {
    expect(files.map((f) => f.replace(/^scenarios\/|\.ya?ml$/g, '')).sort()).toEqual(
      expect.arrayContaining(['quickstart', 'chatty-sweep', 'pricing-database', 'licensing-api', 'document-service', 'connection-churn', 'agent-failover', 'redis-dialog', 'ci-smoke']),
    );
  });

  test.each(files.filter((f) => targetKind(f) !== 'external'))('%s runs with a shortened duration', async (file) => {
    await runShortened(file);
  }, 180_000);

  test.skipIf(!hasRedisServer).each(files.filter((f) => targetKind(f) === 'external'))(
    `%s runs against a real redis-server${hasRedisServer ? '' : ` (skipped: ${REDIS_SKIP_REASON})`}`,
    async (file) => {
      const redis = await startRedisServer();
      try {
        await runShortened(file, ['--target-address', `${redis.address.host}:${redis.address.port}`]);
      } finally {
        await redis.close();
      }
    },
    180_000,
  );
});
