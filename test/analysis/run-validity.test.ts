// Exit 7 only when a statistic someone acts on is untrusted: a noisy generator that spoils only
// tail figures nobody reads leaves the run valid (the figures are marked), while the same noise
// against a threshold on p99, or against the headline p50, makes it invalid with the reason.

import { describe, expect, test } from 'vitest';
import { invalidRunReasons } from '../../src/analysis/run-validity.js';
import type { GeneratorNoise, StepResult } from '../../src/metrics/result.js';
import { judge } from '../../src/workloads/generator-health.js';
import { renderReport } from '../../src/report/index.js';
import { createRandom, normalSample, syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { quietBaseline } from './compare-synthetic.js';
import { runCli } from '../helpers/cli.js';

const quiet = { count: 1000, minUs: 0, meanUs: 20, stdDevUs: 10, p50Us: 15, p90Us: 40, p99Us: 90, p999Us: 150, maxUs: 180 };

/**
 * Direct and relay steps of ~`medianUs` round trips, judged against `noise`; `stall` adds the
 * noise's stalls to that share of the samples, so that the measured histograms carry what the noise
 * says (the rank-shift bound reads them).
 */
function run(medianUs: number, noise: GeneratorNoise, stall = { share: 0, us: 0 }) {
  const random = createRandom(7);
  const steps: StepResult[] = [];
  for (const [pathId, pathKind] of [['direct', 'direct'], ['relay', 'relay-emulated']] as const) {
    const step = syntheticStep({ pathId, pathKind, roundTrips: 1, transactions: 2000, drawRoundTripUs: () => normalSample(random, medianUs, medianUs / 10) + (random() < stall.share ? stall.us : 0) });
    if (step.status !== 'completed') throw new Error('synthetic step not completed');
    step.metrics.generator = judge(step.metrics, quiet, 20, 1, noise);
    steps.push(step);
  }
  return syntheticRun(steps);
}

/** Quiet up to p99, a 3 ms stall in 0.5 % of the samples (beyond p99.5). */
const tailStall: GeneratorNoise = { samples: 5000, meanUs: 25, p95Us: 60, p99Us: 120, p999Us: 3000, p9999Us: 3000, maxUs: 3000 };
const tailStallDraws = { share: 0.005, us: 3000 };
/** Busy: 2 ms late one sample in ten. */
const busy: GeneratorNoise = { samples: 5000, meanUs: 300, p95Us: 2000, p99Us: 3000, p999Us: 3000, p9999Us: 3000, maxUs: 3000 };

describe('run validity', () => {
  test('untrusted tail figures nobody reads are marked, and the run stays valid', () => {
    const result = run(170, tailStall, tailStallDraws);
    const relay = result.steps[1]!;
    if (relay.status !== 'completed') throw new Error('not completed');

    // The stalls reach p99.9 and the max; the p99 sits below them (the rank-shift bound trusts it) and so does the p50.
    expect(relay.metrics.generator?.untrusted).toContain('roundTrip.p99.9');
    expect(relay.metrics.generator?.untrusted).not.toContain('roundTrip.p99');
    expect(relay.metrics.generator?.untrusted).not.toContain('roundTrip.p50');
    expect(invalidRunReasons(result)).toEqual([]);
    // Reports show the mark and its legend.
    const text = renderReport('console', result);
    expect(text).toMatch(/roundTrip p99\.9 .*†/);
    expect(text).toMatch(/roundTrip p50 [^†\n]*\n/);
    expect(text).toContain('† untrusted');
    expect(renderReport('md', result)).toContain('† untrusted');
    expect(renderReport('html', result)).toContain('† untrusted');
    expect(renderReport('json', result)).toContain('"untrusted": [');
  });

  test('a threshold on an untrusted figure makes the run invalid, naming step, figure and reader', () => {
    const result = run(170, tailStall, tailStallDraws);

    const reasons = invalidRunReasons(result, ['relay.roundTrip.p99.9 < 10ms']);

    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /^tcp-request-response\[roundTripsPerTransaction=1\]@relay: roundTrip\.p99\.9 \d+ µs: generator timing error at p99\.99 3000 µs > tolerance \d+ µs \(rank-shift bound \d+ µs\), read by threshold relay\.roundTrip\.p99\.9 < 10ms$/,
    );
    // A threshold on a trusted figure, or on the other path, adds nothing.
    expect(invalidRunReasons(result, ['relay.roundTrip.p50 < 10ms', 'relay.roundTrip.p99 < 10ms', 'direct.transactionsPerSec > 1'])).toEqual([]);
  });

  test('the same noise against the headline p50 of a fast path is invalid; of an 11 ms path it is not', () => {
    const fast = invalidRunReasons(run(170, busy));
    expect(fast.some((r) => r.includes('roundTrip.p50') && r.endsWith('read by the overhead verdict'))).toBe(true);

    expect(invalidRunReasons(run(11_000, busy))).toEqual([]);
  });

  test('hcbench compare exits 7 when a compared figure of the current run is untrusted, naming it', async ({ onTestFinished }) => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-validity-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const baseline = quietBaseline();
    const current = structuredClone(baseline);
    const relay = current.steps.find((s) => s.stepId.endsWith('@relay-emulated'));
    if (relay === undefined || relay.status === 'failed') throw new Error('baseline has no measured relay step');
    // ci-smoke round trips are ~11 ms (same-region): stalls of 10 ms in one sample of ten spoil their p50.
    const stalled: GeneratorNoise = { samples: 5000, meanUs: 1500, p95Us: 10_000, p99Us: 12_000, p999Us: 12_000, p9999Us: 12_000, maxUs: 12_000 };
    relay.metrics.generator = judge(relay.metrics, quiet, 20, 1, stalled);
    await writeFile(join(dir, 'base.json'), JSON.stringify(baseline));
    await writeFile(join(dir, 'current.json'), JSON.stringify(current));

    const same = await runCli(['compare', 'base.json', 'base.json'], { cwd: dir });
    const noisy = await runCli(['compare', 'base.json', 'current.json'], { cwd: dir });

    expect(same.exitCode).toBe(ExitCode.Ok);
    expect(noisy.exitCode).toBe(ExitCode.InvalidRun);
    expect(noisy.stderr).toMatch(/invalid current: smoke@relay-emulated: roundTrip\.p50 \d+ µs: generator timing error at p95 10000 µs > tolerance \d+ µs \(rank-shift bound \d+ µs\), read by compare/);
  });
});
