// `hcbench capacity` says what each figure rests on: a mistyped --path is a usage error with a
// suggestion; an SLO below the path's unloaded latency is reported at once (exit 6); under overload
// the achieved rate counts every completion in the window (a backlog from warm-up included); each
// probe says how many samples its p99 rests on and whether the generator kept up.
// Real processes and sockets on 127.0.0.1; the built-in target's injected service time sets the pace.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { MIN_P99_SAMPLES, runProbe, toPoint } from '../../src/capacity/probe.js';
import type { CapacityReport } from '../../src/capacity/types.js';
import { ExitCode } from '../../src/errors.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { runCli } from '../helpers/cli.js';
import { syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';

// One connection to a target that takes 50 ms per request: the path completes at most 20/s.
const SLOW = `name: slow-path
target: { kind: tcp-request-response, serviceTimeUs: 50000, concurrency: 1 }
paths: [ { kind: direct, id: near } ]
workload: { id: rr, kind: tcp-request-response, connections: 1, load: { model: open, ratePerSec: 10 } }
`;

async function inTempDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-capacity-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('hcbench capacity', () => {
  test('a mistyped --path exits 2 with a did-you-mean, before any probe', async () => {
    const dir = await inTempDir({ 'slow.yaml': SLOW });

    const run = await runCli(['capacity', 'slow.yaml', '--path', 'naer'], { cwd: dir, signal: AbortSignal.timeout(30_000) });

    expect(run.exitCode, run.stderr).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('--path naer');
    expect(run.stderr).toContain('did you mean `near`?');
    expect(run.stdout).toBe('');
  }, 30_000);

  test('an SLO below the unloaded latency (p99 30 ms for a 50 ms transaction) is reported at once and exits 6', async () => {
    const dir = await inTempDir({ 'slow.yaml': SLOW });

    const run = await runCli(['capacity', 'slow.yaml', '--slo-p99-ms', '30', '--start-rate', '5', '--duration-ms', '1000', '--warmup-ms', '200', '--out', 'c.json'], {
      cwd: dir,
      signal: AbortSignal.timeout(120_000),
    });

    expect(run.exitCode, run.stderr).toBe(ExitCode.ThresholdsFailed);
    const report = JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')) as CapacityReport;
    const path = report.paths[0]!;
    expect(path.verdict?.kind).toBe('slo-unreachable');
    expect(path.verdict?.message).toContain('no rate can meet p99 <= 30 ms');
    // One probe was enough: the search did not walk downward.
    expect(path.curve).toHaveLength(1);
    expect(run.stdout).toContain('no rate can meet');
  }, 120_000);
});

describe('a probe under overload', () => {
  test('achieved counts the path\'s completions in the window (~20/s at 100/s offered), not 0 because they arrived in warm-up', async () => {
    const scenario = parseScenarioText(SLOW, 'slow.yaml');
    const workload = scenario.workload!;
    const slo = { p99Ms: 60_000, errorRate: 0.001, droppedRate: 0.01 };

    const { point, result } = await runProbe({ scenario, scenarioFile: 'slow.yaml', workload, pathId: 'near', ratePerSec: 100, durationMs: 1_500, warmupMs: 500, slo, signal: AbortSignal.timeout(60_000) });

    const step = result.steps[0]!;
    if (step.status === 'failed') throw new Error(step.error.message);
    // Every arrival of the window is still queued behind the warm-up's backlog: none completed.
    expect(step.metrics.counters.transactions, JSON.stringify(step.metrics.counters)).toBeLessThan(5);
    // Yet the path kept completing at its ceiling of 20/s (50 ms each, one connection).
    expect(point.achievedPerSec, JSON.stringify(point)).toBeGreaterThanOrEqual(15);
    expect(point.achievedPerSec).toBeLessThanOrEqual(21);
    expect(point.isSustained).toBe(false);
  }, 60_000);
});

describe('toPoint', () => {
  const slo = { p99Ms: 1_000, errorRate: 0.001, droppedRate: 0.01 };

  test('says how many samples the p99 rests on and marks fewer than MIN_P99_SAMPLES', () => {
    const few = syntheticRun([syntheticStep({ pathId: 'near', pathKind: 'direct', roundTrips: 1, transactions: 26, drawRoundTripUs: () => 500 })]);
    const many = syntheticRun([syntheticStep({ pathId: 'near', pathKind: 'direct', roundTrips: 1, transactions: 400, drawRoundTripUs: () => 500 })]);

    const a = toPoint(few, 13, slo);
    const b = toPoint(many, 200, slo);

    expect(a.samples).toBe(26);
    expect(a.caveats).toEqual([`p99 rests on 26 samples (< ${MIN_P99_SAMPLES}): effectively the max`]);
    expect(b.samples).toBe(400);
    expect(b.caveats).toEqual([]);
  });

  test('a probe whose generator fell behind is marked, and one that sent nothing is no 0 % error rate', () => {
    const run = syntheticRun([syntheticStep({ pathId: 'near', pathKind: 'direct', roundTrips: 1, transactions: 400, drawRoundTripUs: () => 500 })]);
    const step = run.steps[0]!;
    if (step.status === 'failed') throw new Error('synthetic');
    step.metrics.generator = { eventLoopDelay: step.metrics.histograms.roundTrip.summary, cpuPercent: 100, generators: 1, isValid: false, invalidReasons: ['event-loop delay p99 3400 µs > 1000 µs'] };
    const idle = syntheticRun([syntheticStep({ pathId: 'near', pathKind: 'direct', roundTrips: 1, transactions: 0, drawRoundTripUs: () => 500 })]);

    const behind = toPoint(run, 200, slo);
    const nothing = toPoint(idle, 200, slo);

    expect(behind.isGeneratorValid).toBe(false);
    expect(behind.caveats[0]).toContain('generator fell behind (event-loop delay');
    // Open model: a dispatch lag is the wait for a free connection under overload, the path's queueing.
    step.metrics.timing = { model: 'open', latencyFrom: 'intended', coordinatedOmissionCorrection: 'none' };
    step.metrics.generator.invalidReasons = ['dispatch lag p99 375000 µs > 1000 µs'];
    expect(toPoint(run, 200, slo).isGeneratorValid).toBe(true);
    expect(nothing.isSustained).toBe(false);
    expect(nothing.errorRate).toBe(1);
    expect(nothing.violations).toContain('nothing was sent');
  });
});
