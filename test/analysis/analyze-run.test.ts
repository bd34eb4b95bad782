import { describe, expect, test } from 'vitest';
import { analyzeRun } from '../../src/analysis/analyze-run.js';
import type { StepResult } from '../../src/metrics/result.js';
import { HYCO_WS_MASKING_KEY, JAVASCRIPT_MASKING_WARNING } from '../../src/net/frame-masking.js';
import { mergeRecords } from '../../src/metrics/histogram.js';
import type { MeasuredStep } from '../../src/analysis/pairing.js';
import { createRandom, normalSample, syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';

/** Repetitions of one variant on two paths; each repetition shares a machine drift between its pair. */
function pairedRepetitions(repetitions: number, roundTrips: number, extraRelayUs: number, seed: number): StepResult[] {
  const random = createRandom(seed);
  const steps: StepResult[] = [];
  for (let r = 0; r < repetitions; r++) {
    const driftUs = normalSample(random, 50, 30);
    for (const [pathId, pathKind, extra] of [['direct', 'direct', 0], ['relay', 'relay-emulated', extraRelayUs]] as const) {
      steps.push(
        syntheticStep({ pathId, pathKind, repetition: r, roundTrips, transactions: 400, drawRoundTripUs: () => normalSample(random, 500 + driftUs + extra, 80) }),
      );
    }
  }
  return steps;
}

describe('per-percentile comparison across repetitions', () => {
  test('A vs A: the interval of every latency delta contains 0', () => {
    const analysis = analyzeRun(syntheticRun(pairedRepetitions(10, 1, 0, 42)));

    const comparison = analysis.comparisons[0]!;
    expect(comparison.repetitions).toHaveLength(10);
    const central = comparison.percentiles.filter((p) => p.metric === 'roundTrip' && (p.percentile === 'p50' || p.percentile === 'p90'));
    expect(central).toHaveLength(2);
    for (const p of central) {
      expect(p.deltaUs.interval).not.toBeNull();
      expect(p.deltaUs.interval!.low).toBeLessThanOrEqual(0);
      expect(p.deltaUs.interval!.high).toBeGreaterThanOrEqual(0);
      expect(p.ratio!.interval!.low).toBeLessThanOrEqual(1);
      expect(p.ratio!.interval!.high).toBeGreaterThanOrEqual(1);
    }
  });

  test('a real +300 µs shift gives an interval that excludes 0 and contains the shift', () => {
    const analysis = analyzeRun(syntheticRun(pairedRepetitions(10, 1, 300, 42)));

    const p50 = analysis.comparisons[0]!.percentiles.find((p) => p.metric === 'roundTrip' && p.percentile === 'p50')!;
    expect(p50.deltaUs.interval!.low).toBeGreaterThan(0);
    expect(p50.deltaUs.interval!.low).toBeLessThanOrEqual(300);
    expect(p50.deltaUs.interval!.high).toBeGreaterThanOrEqual(300);
    expect(p50.ratio!.value).toBeGreaterThan(1);
  });

  test('two direct paths are compared A vs A, the first being the baseline; relay paths each against direct', () => {
    const random = createRandom(17);
    const draw = () => normalSample(random, 500, 50);
    const steps = [0, 1, 2].flatMap((repetition) => [
      syntheticStep({ pathId: 'a', pathKind: 'direct', repetition, roundTrips: 1, transactions: 50, drawRoundTripUs: draw }),
      syntheticStep({ pathId: 'b', pathKind: 'direct', repetition, roundTrips: 1, transactions: 50, drawRoundTripUs: draw }),
      syntheticStep({ pathId: 'r1', pathKind: 'relay-emulated', repetition, roundTrips: 1, transactions: 50, drawRoundTripUs: draw }),
    ]);

    const pairs = analyzeRun(syntheticRun(steps)).comparisons.map((c) => `${c.directPathId}→${c.relayPathId}`);

    expect(pairs).toEqual(['a→b', 'a→r1']);
  });

  test('one repetition says n=1 and gives no interval', () => {
    const analysis = analyzeRun(syntheticRun(pairedRepetitions(1, 1, 300, 7)));

    const p50 = analysis.comparisons[0]!.percentiles[0]!;
    expect(p50.deltaUs).toMatchObject({ interval: null, n: 1, note: 'n=1, no interval' });
    expect(analysis.methods[0]).toContain('jackknife');
  });

  test('the analysis is deterministic, and every percentile is read from the histograms merged over the repetitions', () => {
    const run = syntheticRun(pairedRepetitions(6, 1, 100, 3));

    const a = analyzeRun(run);
    const b = analyzeRun(run);

    expect(b).toEqual(a);
    const steps = run.steps.filter((s): s is MeasuredStep => s.status !== 'failed');
    for (const [pathId, field] of [['direct', 'directUs'], ['relay', 'relayUs']] as const) {
      const merged = mergeRecords(steps.filter((s) => s.pathId === pathId).map((s) => s.metrics.histograms.roundTrip)).summary;
      const row = (label: string) => a.comparisons[0]!.percentiles.find((p) => p.metric === 'roundTrip' && p.percentile === label)![field];
      expect([row('p50'), row('p90'), row('p99'), row('p99.9'), row('max')]).toEqual([merged.p50Us, merged.p90Us, merged.p99Us, merged.p999Us, merged.maxUs]);
    }
  });

  test('throughput ratio and connection setup are reported', () => {
    const analysis = analyzeRun(syntheticRun(pairedRepetitions(3, 1, 0, 5)));

    const comparison = analysis.comparisons[0]!;
    expect(comparison.throughput.ratio!.value).toBeCloseTo(1, 6);
    expect(comparison.connectionSetup).toMatchObject({ metric: 'connect' });
    expect(comparison.connectionSetup!.deltaUs.value).toBeGreaterThan(30);
  });
});

describe('open-model and stream metrics', () => {
  test('response time is compared when both paths recorded it, and stream bytes/s get a ratio', () => {
    const steps = pairedRepetitions(3, 1, 200, 8) as (StepResult & { status: 'completed' })[];
    for (const step of steps) {
      step.metrics.histograms.responseTime = step.metrics.histograms.transaction;
      const bytesPerSec = step.pathKind === 'direct' ? 100_000_000 : 25_000_000;
      const record = {
        unit: 'bytesPerSec' as const, intervalMs: 100, count: 3, minBytesPerSec: bytesPerSec, meanBytesPerSec: bytesPerSec,
        p50BytesPerSec: bytesPerSec, maxBytesPerSec: bytesPerSec, overallBytesPerSec: bytesPerSec, encoded: '',
      };
      step.metrics.throughput = { download: record };
    }

    const comparison = analyzeRun(syntheticRun(steps)).comparisons[0]!;

    expect(comparison.percentiles.filter((p) => p.metric === 'responseTime')).toHaveLength(5);
    expect(comparison.streams).toEqual([
      { direction: 'download', directBytesPerSec: 100_000_000, relayBytesPerSec: 25_000_000, ratio: { value: 0.25, interval: { low: 0.25, high: 0.25 }, n: 3, note: 'n=3, indicative interval' } },
    ]);
  });

  test('a metric only one path recorded is not compared', () => {
    const steps = pairedRepetitions(2, 1, 0, 8) as (StepResult & { status: 'completed' })[];
    steps[0]!.metrics.histograms.serviceTime = steps[0]!.metrics.histograms.roundTrip;

    const comparison = analyzeRun(syntheticRun(steps)).comparisons[0]!;

    expect(comparison.percentiles.some((p) => p.metric === 'serviceTime')).toBe(false);
    expect(comparison.streams).toEqual([]);
  });
});

describe('round-trip sweep fit', () => {
  const sweep = (injectedUsPerRoundTrip: number, seed: number) => {
    const random = createRandom(seed);
    const steps: StepResult[] = [];
    for (let r = 0; r < 3; r++) {
      for (const k of [1, 5, 20, 100]) {
        steps.push(syntheticStep({ pathId: 'direct', pathKind: 'direct', repetition: r, roundTrips: k, transactions: 150, fixedUs: 200, drawRoundTripUs: () => normalSample(random, 400, 120) }));
        steps.push(
          syntheticStep({
            pathId: 'relay', pathKind: 'relay-emulated', repetition: r, roundTrips: k, transactions: 150, fixedUs: 1200,
            drawRoundTripUs: () => normalSample(random, 400 + injectedUsPerRoundTrip, 120),
          }),
        );
      }
    }
    return syntheticRun(steps);
  };

  test('+2 ms per round trip injected: slope difference within 10 % and intercept difference found', () => {
    const analysis = analyzeRun(sweep(2000, 11));

    expect(analysis.fits).toHaveLength(1);
    const fit = analysis.fits[0]!;
    expect(fit.key).toBe('tcp-request-response');
    expect(fit.direct.points).toHaveLength(12);
    expect(Math.abs(fit.slopeDeltaUs.value - 2000)).toBeLessThan(200);
    expect(fit.slopeDeltaUs.interval!.low).toBeLessThan(fit.slopeDeltaUs.value);
    expect(fit.slopeDeltaUs.interval!.high).toBeGreaterThan(fit.slopeDeltaUs.value);
    expect(fit.interceptDeltaUs.value).toBeGreaterThan(0);
  });

  test('a p50 fit recovers the same +2 ms per round trip and says so in the method', () => {
    const analysis = analyzeRun(sweep(2000, 14), { fitStatistic: 'p50' });

    const fit = analysis.fits[0]!;
    expect(Math.abs(fit.slopeDeltaUs.value - 2000)).toBeLessThan(200);
    expect(fit.direct.points[0]!.latencyUs).not.toBe(analyzeRun(sweep(2000, 14)).fits[0]!.direct.points[0]!.latencyUs);
    expect(analysis.methods[1]).toContain('median (p50) transaction latency');
  });

  test('A vs A sweep: the slope difference interval contains 0', () => {
    const fit = analyzeRun(sweep(0, 12)).fits[0]!;

    expect(fit.slopeDeltaUs.interval!.low).toBeLessThanOrEqual(0);
    expect(fit.slopeDeltaUs.interval!.high).toBeGreaterThanOrEqual(0);
  });

  test('projection follows the stated model on the fitted costs and the user distances', () => {
    const run = sweep(2000, 13);

    const analysis = analyzeRun(run, {
      projection: { roundTripsPerTransaction: 40, directRttMs: 2, appToRelayRttMs: 10, relayToAgentRttMs: 15 },
    });

    const { projection, fits } = analysis;
    const fit = fits[0]!;
    expect(projection!.basis).toEqual({ key: 'tcp-request-response', source: 'fit', measuredRttMs: { directMs: 0, relayMs: 0 } });
    expect(projection!.directMs.value).toBeCloseTo((fit.direct.interceptUs + 40 * fit.direct.slopeUs) / 1000 + 40 * 2, 6);
    expect(projection!.relayMs.value).toBeCloseTo((fit.relay.interceptUs + 40 * fit.relay.slopeUs) / 1000 + 40 * 25, 6);
    // 40 round trips × (2 ms injected + 23 ms more distance) ≈ 1000 ms more on the relay path.
    expect(projection!.deltaMs.value).toBeGreaterThan(990);
    expect(projection!.deltaMs.value).toBeLessThan(1010);
    expect(projection!.deltaMs.interval!.low).toBeLessThan(projection!.deltaMs.value);
  });

  test('the RTT the measured paths had configured is taken out and replaced by the user distances', () => {
    // Measured with a 10 ms direct RTT and 1 + 10 ms relay legs, all inside the recorded latencies.
    const random = createRandom(21);
    const steps: StepResult[] = [];
    for (const k of [1, 5, 20]) {
      steps.push(syntheticStep({ pathId: 'direct', pathKind: 'direct', roundTrips: k, transactions: 60, drawRoundTripUs: () => normalSample(random, 10_400, 50) }));
      steps.push(syntheticStep({ pathId: 'relay', pathKind: 'relay-emulated', roundTrips: k, transactions: 60, drawRoundTripUs: () => normalSample(random, 12_400, 50) }));
    }
    const leg = (oneWayDelayMs: number) => ({ oneWayDelayMs, jitterMs: 0, bandwidthBytesPerSec: 0 });
    const run = {
      ...syntheticRun(steps),
      topology: {
        network: { name: 'same-region', profile: {} },
        paths: [{ id: 'direct', kind: 'direct', direct: leg(5) }, { id: 'relay', kind: 'relay-emulated', appToRelay: leg(0.5), relayToAgent: leg(5) }],
        target: {},
      },
    };

    const measured = analyzeRun(run, { projection: { roundTripsPerTransaction: 10 } }).projection!;
    const loopback = analyzeRun(run, { projection: { roundTripsPerTransaction: 10, directRttMs: 0, appToRelayRttMs: 0, relayToAgentRttMs: 0 } }).projection!;

    expect(measured.basis.measuredRttMs).toEqual({ directMs: 10, relayMs: 11 });
    // The 2 ms slope difference splits into 1 ms more configured RTT and 1 ms of relay machinery.
    const fit = analyzeRun(run).fits[0]!;
    expect(fit.networkRttDeltaMs).toBe(1);
    expect(fit.slopeDeltaUs.value).toBeGreaterThan(1950);
    expect(fit.slopeDeltaUs.value).toBeLessThan(2050);
    expect(fit.machineryUs.value).toBeCloseTo(fit.slopeDeltaUs.value - 1000, 6);
    expect(measured.input).toMatchObject({ directRttMs: 10, appToRelayRttMs: 1, relayToAgentRttMs: 10 });
    // Defaults reproduce the measured conditions: 10 × 10.4 ms and 10 × 12.4 ms.
    expect(measured.directMs.value).toBeCloseTo(104, 0);
    expect(measured.relayMs.value).toBeCloseTo(124, 0);
    // On loopback only the machinery remains: 10 × 0.4 ms and 10 × 1.4 ms.
    expect(loopback.directMs.value).toBeCloseTo(4, 0);
    expect(loopback.relayMs.value).toBeCloseTo(14, 0);
  });

  test('without a sweep the projection uses the mean round trip and has no interval', () => {
    const analysis = analyzeRun(syntheticRun(pairedRepetitions(2, 5, 1000, 4)), { projection: { roundTripsPerTransaction: 10 } });

    expect(analysis.fits).toEqual([]);
    expect(analysis.projection!.basis.source).toBe('round-trip mean');
    expect(analysis.projection!.deltaMs.value).toBeGreaterThan(9);
    expect(analysis.projection!.deltaMs.interval).toBeNull();
  });
});

describe('warnings', () => {
  test('failed steps, errors, dropped work, invalid generator and an aborted run are all warned about', () => {
    const [direct, relay] = pairedRepetitions(1, 1, 0, 1) as [StepResult & { status: 'completed' }, StepResult & { status: 'completed' }];
    relay.metrics.counters.errors = { reset: 3 };
    relay.metrics.counters.dropped = 7;
    direct.metrics.counters.transactions = 0;
    relay.metrics.generator = {
      eventLoopDelay: { count: 1, minUs: 1, meanUs: 1, stdDevUs: 0, p50Us: 1, p90Us: 1, p99Us: 1, p999Us: 1, maxUs: 1 },
      cpuPercent: 99, generators: 1, isValid: false, untrusted: ['roundTrip.p99.9'],
      invalidReasons: ['roundTrip.p99.9 240 µs: generator timing error at p99.99 1800 µs > tolerance 200 µs'],
    };
    const failed: StepResult = { stepId: 'other@direct', pathId: 'direct', pathKind: 'direct', status: 'failed', error: { code: 'ERR_WORKLOAD', message: 'no target' } };
    const run = { ...syntheticRun([direct, relay, failed]), status: 'aborted' as const };

    const warnings = analyzeRun(run).warnings;

    expect(warnings).toEqual([
      'run interrupted: results are partial',
      'tcp-request-response[roundTripsPerTransaction=1]@direct: no transaction completed in the measured window (nothing to compare)',
      'tcp-request-response[roundTripsPerTransaction=1]@relay: errors reset=3',
      'tcp-request-response[roundTripsPerTransaction=1]@relay: 7 arrivals dropped (no free slot, or the queue was full)',
      'other@direct failed: ERR_WORKLOAD no target',
      'tcp-request-response[roundTripsPerTransaction=1]@relay: untrusted (generator timing error too large for them): roundTrip.p99.9',
    ]);
  });

  test('an aborted run names its reason unless it was a plain interrupt', () => {
    const run = { ...syntheticRun(pairedRepetitions(1, 1, 0, 1)), status: 'aborted' as const, abortReason: 'in progress' };

    expect(analyzeRun(run).warnings[0]).toBe('run aborted (in progress): results are partial');
  });

  test('many steps with untrusted statistics become one line so other warnings stay visible', () => {
    const steps = pairedRepetitions(3, 1, 0, 1) as (StepResult & { status: 'completed' })[];
    steps.forEach((step, i) => {
      step.metrics.generator = {
        eventLoopDelay: { count: 1, minUs: 1, meanUs: 1, stdDevUs: 0, p50Us: 1, p90Us: 1, p99Us: 1, p999Us: 1, maxUs: 1 },
        cpuPercent: 99, generators: 1, isValid: i === 0, untrusted: i === 0 ? [] : [`roundTrip.p${i}9`], invalidReasons: [],
      };
    });

    const warnings = analyzeRun(syntheticRun(steps)).warnings;

    expect(warnings).toEqual([
      'untrusted statistics in 5 of 6 steps, e.g. tcp-request-response[roundTripsPerTransaction=1]@relay: untrusted (generator timing error too large for them): roundTrip.p19',
    ]);
  });
});

describe('frame masking warning', () => {
  const withMasking = (masking: string | undefined, steps: StepResult[]) => {
    const run = syntheticRun(steps);
    const libraries = { ...run.environment.libraries };
    if (masking === undefined) delete libraries[HYCO_WS_MASKING_KEY];
    else libraries[HYCO_WS_MASKING_KEY] = masking;
    return { ...run, environment: { ...run.environment, libraries } };
  };

  test('a run whose hyco-ws masked in JavaScript warns once, first after the run status', () => {
    const warnings = analyzeRun(withMasking('javascript', pairedRepetitions(1, 1, 0, 1))).warnings;

    expect(warnings).toEqual([JAVASCRIPT_MASKING_WARNING]);
  });

  test('native masking, a result written before the key existed, or a run without a relay path: no warning', () => {
    const directOnly = pairedRepetitions(1, 1, 0, 1).filter((step) => step.pathKind === 'direct');

    expect(directOnly.length).toBeGreaterThan(0);
    expect(analyzeRun(withMasking('native', pairedRepetitions(1, 1, 0, 1))).warnings).toEqual([]);
    expect(analyzeRun(withMasking(undefined, pairedRepetitions(1, 1, 0, 1))).warnings).toEqual([]);
    expect(analyzeRun(withMasking('javascript', directOnly)).warnings).not.toContain(JAVASCRIPT_MASKING_WARNING);
  });
});
