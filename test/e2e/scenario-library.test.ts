// Every shipped scenario validates and runs end to end (durations shortened), on real processes.
// Scenarios against an external server get one started here (redis-server) or are reported skipped.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';

const files = readdirSync('scenarios')
  .filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'schema.json')
  .map((f) => `scenarios/${f}`);

function targetKind(file: string): string {
  return ((parse(readFileSync(file, 'utf8')) as { target?: { kind?: string } }).target?.kind ?? '') as string;
}

describe('scenario library', () => {
  test.each(files.filter((f) => targetKind(f) !== 'external'))('%s runs with a shortened duration', async (file) => {
    const { exitCode, stdout, stderr } = await runCli([
      'run', file, '--json', '--no-save', '--duration-ms', '250', '--warmup-ms', '50', '--repetitions', '1',
    ], { signal: AbortSignal.timeout(120_000) });

    expect(exitCode, stderr).toBe(ExitCode.Ok);
    const result = JSON.parse(stdout) as RunResult;
    expect(result.status).toBe('completed');
    expect(result.steps.length).toBeGreaterThan(0);
    for (const step of result.steps) {
      expect(step.status, `${step.stepId}: ${JSON.stringify(step)}`.slice(0, 400)).toBe('completed');
    }
  }, 180_000);
});
