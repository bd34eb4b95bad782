// Every shipped scenario validates and runs end to end (durations shortened), on real processes.
// Scenarios against an external server run against a real redis-server started here, or are
// reported skipped (with the reason) when it is not installed.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
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

async function runShortened(file: string, extra: string[] = []): Promise<void> {
  const { exitCode, stdout, stderr } = await runCli(
    ['run', file, '--json', '--no-save', '--duration-ms', '1000', '--warmup-ms', '100', '--repetitions', '1', ...extra],
    { signal: AbortSignal.timeout(120_000) },
  );

  const result = JSON.parse(stdout) as RunResult;
  expect(result.status, stderr).toBe('completed');
  // Whether a busy machine (2 cores, tests in parallel) slowed the generator or broke a latency
  // budget is in the result; the exit code must be exactly the one the result calls for.
  const invalid = invalidRunReasons(result);
  const scenario = parse(readFileSync(file, 'utf8')) as { thresholds?: unknown[] };
  expect(result.thresholds?.length ?? 0).toBe(scenario.thresholds?.length ?? 0);
  const expected = invalid.length > 0 ? ExitCode.InvalidRun : thresholdsPassed(result.thresholds ?? []) ? ExitCode.Ok : ExitCode.ThresholdsFailed;
  expect(exitCode, stderr).toBe(expected);
  for (const reason of invalid) expect(stderr).toContain(`invalid run: ${reason}`);
  expect(result.steps.length).toBeGreaterThan(0);
  for (const step of result.steps) {
    expect(step.status, `${step.stepId}: ${JSON.stringify(step)}`.slice(0, 400)).toBe('completed');
    if (step.status === 'completed') expect(step.metrics.counters.transactions, step.stepId).toBeGreaterThan(0);
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
