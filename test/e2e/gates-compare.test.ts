// `hcbench compare` and threshold gates through main(): exit codes 0 / 6 / 7 / 8 / 9, JUnit and
// Markdown files, and a fresh ci-smoke run against the committed baseline (comparable here).

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, onTestFinished, test } from 'vitest';
import { invalidCompareReasons, invalidRunReasons } from '../../src/analysis/run-validity.js';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { quietBaseline, withSlowerRelay } from '../analysis/compare-synthetic.js';
import { runCli } from '../helpers/cli.js';
import { readJUnit } from '../report/junit-reader.js';

const BASELINE = fileURLToPath(new URL('../../ci/baselines/ci-smoke.json', import.meta.url));
const QUICKSTART = fileURLToPath(new URL('../fixtures/results/quickstart-run.json', import.meta.url));
const CI_SMOKE = fileURLToPath(new URL('../../scenarios/ci-smoke.yaml', import.meta.url));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-gates-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('hcbench compare', () => {
  test('the committed baseline compared with itself is unchanged and exits 0', async () => {
    const run = await runCli(['compare', BASELINE, BASELINE]);

    expect(run.exitCode).toBe(ExitCode.Ok);
    expect(run.stdout).toMatch(/^compare: unchanged \(0 regressed, 0 improved, \d+ unchanged, 0 incomparable\)/);
  });

  test('+30 % relay latency is regressed, exits 8, and writes JUnit (parsed) and Markdown', async () => {
    const dir = await tempDir();
    const baseline = quietBaseline();
    await writeFile(join(dir, 'base.json'), JSON.stringify(baseline));
    await writeFile(join(dir, 'slow.json'), JSON.stringify(withSlowerRelay(baseline)));

    const run = await runCli(['compare', 'base.json', 'slow.json', '--junit', 'out/compare.xml', '--md', 'out/compare.md'], { cwd: dir });

    expect(run.exitCode).toBe(ExitCode.Regression);
    expect(run.stdout).toContain('▼ smoke@relay-emulated transaction.p50');
    const junit = readJUnit(await readFile(join(dir, 'out/compare.xml'), 'utf8'));
    expect(junit.failures).toBeGreaterThanOrEqual(5);
    expect(await readFile(join(dir, 'out/compare.md'), 'utf8')).toContain('## hcbench compare · ci-smoke · regressed');
  });

  test('a result of another scenario is incomparable and exits 9', async () => {
    const run = await runCli(['compare', BASELINE, QUICKSTART, '--json']);

    expect(run.exitCode).toBe(ExitCode.Incomparable);
    expect((JSON.parse(run.stdout) as { reasons: string[] }).reasons[0]).toContain('scenario name differs');
  });

  test('a current result whose relay steps measured nothing is incomparable metric by metric and exits 9', async () => {
    const dir = await tempDir();
    const baseline = quietBaseline();
    const current = structuredClone(baseline);
    current.steps = current.steps.map((step) => {
      if (!step.stepId.endsWith('@relay-emulated')) return step;
      const { metrics: _metrics, ...identity } = step as Extract<typeof step, { status: 'completed' }>;
      return { ...identity, status: 'failed' as const, error: { code: 'ERR_PATH_SETUP', message: 'relay down' } };
    });
    await writeFile(join(dir, 'base.json'), JSON.stringify(baseline));
    await writeFile(join(dir, 'current.json'), JSON.stringify(current));

    const run = await runCli(['compare', 'base.json', 'current.json', '--json'], { cwd: dir });

    const report = JSON.parse(run.stdout) as { verdict: string; metrics: { metric: string; verdict: string; reason: string }[] };
    expect(run.exitCode).toBe(ExitCode.Incomparable);
    expect(report.verdict).toBe('incomparable');
    const missing = report.metrics.filter((m) => m.verdict === 'incomparable');
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((m) => m.metric.includes('relay-emulated') && m.reason === 'not in the current result')).toBe(true);
  });

  test('an unreadable result exits 2 and a bad --tolerance is a usage error', async () => {
    expect((await runCli(['compare', BASELINE, 'missing.json'])).exitCode).toBe(ExitCode.Usage);
    expect((await runCli(['compare', BASELINE, BASELINE, '--tolerance', 'p99'])).exitCode).toBe(ExitCode.Usage);
  });
});

describe('ci-smoke gate', () => {
  test(
    'a fresh ci-smoke run with a failing threshold writes results, exits 6 (7 when the generator fell behind), and compares with the committed baseline',
    async () => {
      const dir = await tempDir();
      const scenario = (await readFile(CI_SMOKE, 'utf8')).replace('$schema: ./schema.json\n', '') + 'thresholds:\n  - overhead.roundTrip.p50 < 1us\n  - relay.errorRate < 1%\n';
      await writeFile(join(dir, 'ci-smoke.yaml'), scenario);

      const run = await runCli(['run', join(dir, 'ci-smoke.yaml'), '--duration-ms', '500', '--warmup-ms', '200', '--results-dir', 'results', '--junit', 'junit.xml'], {
        cwd: dir,
        signal: AbortSignal.timeout(120_000),
      });

      const folder = /results: (.+)\n/.exec(run.stderr)?.[1];
      expect(folder, run.stderr).toBeDefined();
      const result = JSON.parse(await readFile(join(folder!, 'summary.json'), 'utf8')) as RunResult;
      // The verdict follows from what was measured: `no-data` only when the relay completed nothing in
      // a starved window (no observed overhead), otherwise the observed p50 overhead fails `< 1us`.
      const first = result.thresholds?.[0];
      expect(first?.status).toBe(first?.observed === null ? 'no-data' : 'failed');
      if (first?.observed !== null) expect(first?.observed).toBeGreaterThanOrEqual(1);
      expect(result.thresholds?.[1]?.status).toBe('passed');
      expect(run.exitCode).toBe(invalidRunReasons(result, ['overhead.roundTrip.p50 < 1us', 'relay.errorRate < 1%']).length > 0 ? ExitCode.InvalidRun : ExitCode.ThresholdsFailed);
      expect(readJUnit(await readFile(join(dir, 'junit.xml'), 'utf8')).failures).toBe(1);

      const compare = await runCli(['compare', BASELINE, join(folder!, 'summary.json'), '--json']);

      const report = JSON.parse(compare.stdout) as { isComparable: boolean; reasons: string[]; metrics: unknown[] };
      expect(report.reasons).toEqual([]);
      expect(report.isComparable).toBe(true);
      expect(report.metrics.length).toBeGreaterThanOrEqual(6);
      const untrusted = invalidCompareReasons(result).length > 0;
      if (untrusted) expect(compare.exitCode).toBe(ExitCode.InvalidRun);
      // Otherwise its verdict against a quiet machine's baseline depends on this machine's load (the
      // exit codes are proven above on constructed inputs). Against itself nothing moved, so it can
      // serve as a baseline: unchanged (exit 0), or exit 7 exactly when its own figures are untrusted.
      const self = await runCli(['compare', join(folder!, 'summary.json'), join(folder!, 'summary.json')]);
      expect(self.exitCode, self.stdout).toBe(untrusted ? ExitCode.InvalidRun : ExitCode.Ok);
      expect(self.stdout).toMatch(/\(0 regressed, 0 improved, \d+ unchanged, 0 incomparable\)/);
    },
    180_000,
  );
});
