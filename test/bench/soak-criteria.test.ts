// The soak entry's verdicts from recorded data (no processes): growth windows and statistics,
// transaction accounting and fault recovery. Each check is shown to fail on the data it guards against.

import { describe, expect, test } from 'vitest';
import { growthOf, growthWindowMs, quantileOf, readProcess, type Growth, type ProcessSample } from '../../bench/lib/process-samples.js';
import { createRandom } from '../../src/random.js';
import { MAX_GROWTH, accountingOf, soakCriteria, soakStepOf, type SoakStep } from '../../bench/lib/soak-criteria.js';
import type { FaultEvent, StepMetrics, StepResult } from '../../src/metrics/result.js';
import { renderSoakSection, type SoakBenchResult } from '../../bench/soak-section.js';

/** Samples every 5 s for `minutes`, fds = floor + a burst on every other sample, rss from `rssAt`. */
function samples(minutes: number, fdFloorAt: (ms: number) => number, rssAt: (ms: number) => number): ProcessSample[] {
  const out: ProcessSample[] = [];
  for (let atMs = 0; atMs <= minutes * 60_000; atMs += 5000) out.push({ atMs, role: 'cloud', rssBytes: rssAt(atMs), fds: fdFloorAt(atMs) + ((atMs / 5000) % 2 === 0 ? 0 : 20) });
  return out;
}

function step(counters: Partial<StepMetrics['counters']>, events: FaultEvent[]): SoakStep {
  const metrics = { durationMs: 60_000, warmupMs: 0, counters: { transactions: 0, roundTrips: 0, connectionsOpened: 0, bytesSent: 0, bytesReceived: 0, errors: {}, ...counters } } as unknown as StepMetrics;
  const result: StepResult = { stepId: 's', pathId: 'p', pathKind: 'relay-emulated', status: 'completed', metrics, faultEvents: events };
  return soakStepOf(result);
}

function inject(action: string, recoveryMs: number | null): FaultEvent[] {
  return [
    { action, phase: 'inject', atMs: 20_000, firedAtMs: 20_000, tookMs: 5, outcome: 'ok', effect: { windowMs: 40_000, transactions: 1, errors: {} }, recoveryMs },
    { action: 'reset', phase: 'undo', atMs: 60_000, firedAtMs: 60_000, tookMs: 5, outcome: 'ok' },
  ];
}

describe('soak criteria', () => {
  test('fd growth is judged on the floor: bursts at sample instants pass, a rising floor fails', () => {
    const flat = growthOf(samples(5, () => 30, () => 100e6), 120_000, 60_000).find((g) => g.figure === 'fds');
    expect(flat?.growth).toBe(0);
    const leaking = growthOf(samples(5, (ms) => 30 + Math.floor(ms / 10_000), () => 100e6), 120_000, 60_000).find((g) => g.figure === 'fds');
    expect(leaking?.growth).toBeGreaterThan(0.05);
    expect(leaking?.samples.baseline).toBe(12);
    expect(leaking?.samples.last).toBe(12);
  });

  test('only steady samples count: a dip while a fault holds listeners down at the end does not hide the floor', () => {
    const dip = samples(5, (ms) => (ms > 280_000 ? 20 : 30), () => 100e6);
    expect(growthOf(dip, 120_000, 60_000).find((g) => g.figure === 'fds')?.growth).toBeLessThan(-0.05);
    const steady = growthOf(dip, 120_000, 60_000, (ms) => ms <= 280_000).find((g) => g.figure === 'fds');
    expect(steady?.growth).toBe(0);
    expect(steady?.samples.last).toBe(8);
  });

  test('RSS growth compares the 90th percentiles of the first post-warm-up window and the last', () => {
    const growing = growthOf(samples(5, () => 30, (ms) => 100e6 + ms * 100), 120_000, 60_000).find((g) => g.figure === 'rssBytes');
    expect(growing?.statistic).toBe('p90');
    expect(growing?.windowMs).toBe(60_000);
    // 12 samples per window, nearest rank ceil(0.9 × 12) = 11th: at 170 s and at 295 s.
    expect(growing?.baseline).toBe(100e6 + 170_000 * 100);
    expect(growing?.last).toBe(100e6 + 295_000 * 100);
    expect(growing?.medians).toEqual({ baseline: 100e6 + 147_500 * 100, last: 100e6 + 272_500 * 100 });
    const criteria = soakCriteria([], growthOf(samples(5, () => 30, (ms) => 100e6 + ms * 100), 120_000, 60_000), 0);
    expect(criteria.find((c) => c.name.startsWith('RSS'))?.isPassed).toBe(false);
    expect(criteria.find((c) => c.name.startsWith('open fds'))?.isPassed).toBe(true);
  });

  test('the compared windows are a third of the run after warm-up, from one to five minutes', () => {
    expect(growthWindowMs(120_000, 1_800_000, 60_000, 300_000)).toBe(300_000);
    expect(growthWindowMs(60_000, 480_000, 60_000, 300_000)).toBe(140_000);
    expect(growthWindowMs(60_000, 180_000, 60_000, 300_000)).toBe(60_000);
    expect(quantileOf([5, 1, 4, 2, 3, 10, 6, 7, 8, 9], 0.9)).toBe(9);
    expect(quantileOf([7], 0.9)).toBe(7);
    expect(quantileOf([], 0.9)).toBeNaN();
  });

  // A 30-minute soak's process, simulated: RSS at a plateau, dropped by V8's releases at random
  // times (mean gap 3 minutes) to 88-100 MiB and refilled within 10-60 s, sampled every 2.5 s,
  // steady samples from 5 s to 40 s of each minute, 2 minutes of warm-up (as bench/entries/soak.ts).
  function sawtooth(seed: number, leakOverRun: number): ProcessSample[] {
    const random = createRandom(seed);
    const mib = 1048576;
    const plateauAt = (ms: number): number => 127 * mib * (1 + (leakOverRun * ms) / 1_800_000);
    const releases: { atMs: number; floor: number; refillMs: number }[] = [];
    for (let atMs = -Math.log(1 - random()) * 180_000; atMs < 1_800_000; atMs += -Math.log(1 - random()) * 180_000) {
      releases.push({ atMs, floor: (88 + 12 * random()) * mib, refillMs: 10_000 + 50_000 * random() });
    }
    const out: ProcessSample[] = [];
    for (let atMs = 0; atMs <= 1_800_000; atMs += 2500) {
      if (atMs % 60_000 < 5000 || atMs % 60_000 >= 40_000) continue;
      let rss = plateauAt(atMs);
      const last = releases.filter((r) => r.atMs <= atMs).at(-1);
      if (last !== undefined && atMs - last.atMs < last.refillMs) rss = last.floor + ((rss - last.floor) * (atMs - last.atMs)) / last.refillMs;
      out.push({ atMs, role: 'onprem', rssBytes: Math.round(rss + (random() - 0.5) * 2 * mib), fds: 28 });
    }
    return out;
  }

  test('seeded simulation: V8 releases around a flat plateau pass in every seed, a 10 % leak over the run fails in every seed', () => {
    const rssGrowth = (list: ProcessSample[]): number => {
      const window = growthWindowMs(120_000, Math.max(...list.map((x) => x.atMs)), 60_000, 300_000);
      return growthOf(list, 120_000, window).find((g) => g.figure === 'rssBytes')?.growth ?? Number.NaN;
    };
    const seeds = Array.from({ length: 200 }, (_, i) => i + 1);
    const flat = seeds.map((seed) => rssGrowth(sawtooth(seed, 0)));
    const leaking = seeds.map((seed) => rssGrowth(sawtooth(seed, 0.1)));
    // Margins: flat within ±0.6 %, leaking at least +6.9 % (5-minute windows).
    expect(flat.filter((g) => !(Math.abs(g) <= 0.006))).toEqual([]);
    expect(leaking.filter((g) => !(g >= 0.069))).toEqual([]);
    expect(0.006 < MAX_GROWTH && MAX_GROWTH < 0.069).toBe(true);
    // What the rule replaced (medians of one-minute windows) fails flat plateaus in some seeds.
    const medianGrowth = (growth: Growth[]): number => {
      const rss = growth.find((g) => g.figure === 'rssBytes');
      return rss === undefined ? Number.NaN : (rss.medians.last - rss.medians.baseline) / rss.medians.baseline;
    };
    const oneMinuteMedians = seeds.map((seed) => medianGrowth(growthOf(sawtooth(seed, 0), 120_000, 60_000)));
    expect(oneMinuteMedians.filter((g) => Math.abs(g) > MAX_GROWTH).length).toBeGreaterThan(0);
  });

  test('accounting: sent = completed + errors + stopped in flight, and an unbalanced step is named', () => {
    const balanced = step({ sent: 10, transactions: 7, errors: { reset: 2 }, stoppedInFlight: 1 }, inject('cut-connections', 5));
    const lost = step({ sent: 10, transactions: 7, errors: { reset: 2 } }, inject('stop-agent', 5));
    expect(accountingOf([balanced]).unbalancedSteps).toEqual([]);
    expect(accountingOf([balanced, lost]).unbalancedSteps).toEqual([2]);
    const verdict = (steps: SoakStep[]) => soakCriteria(steps, [], steps.length).find((c) => c.name === 'every transaction accounted for')?.isPassed;
    expect(verdict([balanced])).toBe(true);
    expect(verdict([balanced, lost])).toBe(false);
  });

  test('service back: a passing fault must recover in its step; after a holding fault the next step must complete transactions', () => {
    const ok = step({ sent: 5, transactions: 5 }, inject('refuse-accepts', null));
    const next = step({ sent: 5, transactions: 5 }, inject('cut-connections', 12));
    const dead = step({ sent: 5, transactions: 0, errors: { closed: 5 } }, inject('cut-connections', null));
    const verdict = (steps: SoakStep[]) => soakCriteria(steps, [], steps.length).find((c) => c.name === 'service back after every fault');
    expect(verdict([ok, next])?.isPassed).toBe(true);
    expect(verdict([ok, dead])?.isPassed).toBe(false);
    expect(verdict([ok, dead])?.detail).toContain('step 2 after refuse-accepts');
    expect(verdict([ok, dead])?.detail).toContain('step 2 cut-connections');
  });

  test('reads this process from /proc', () => {
    const me = readProcess(process.pid);
    expect(me?.rssBytes ?? 0).toBeGreaterThan(0);
    expect(me?.fds ?? 0).toBeGreaterThan(2);
  });
});

describe('soak section of bench/README.md', () => {
  test('renders the criteria as printed, growth per process and the totals from a result', () => {
    const growth = growthOf(samples(5, () => 30, (ms) => 100e6 + ms * 100), 120_000, 60_000);
    const criteria = soakCriteria([step({ sent: 10, transactions: 9, errors: { reset: 1 } }, inject('cut-connections', 5))], growth, 1);
    const result: SoakBenchResult = {
      startedAt: '2026-11-30T10:00:00.000Z',
      machine: { cpuModel: 'cpu', cpuCount: 2, kernel: 'k', node: 'v20' },
      entries: [{ id: 'soak', rounds: [{ side: 'hcbench', figure: { value: criteria.filter((c) => c.isPassed).length, detail: { minutes: 5, steps: 5, stepMs: 60_000, warmupMinutes: 1, sent: 10, completed: 9, errors: 1 }, data: { criteria, growth, appV8Flags: ['--max-semi-space-size=2'] } } }] }],
    };

    const block = renderSoakSection('2026-11-30T10-00-00-000Z.json', result);

    expect(block).toContain('`bench/results/2026-11-30T10-00-00-000Z.json`: 5 minutes in 5 steps of 60 s');
    expect(block).toContain(`**${criteria.filter((c) => c.isPassed).length} of ${criteria.length} criteria passed.**`);
    for (const c of criteria) expect(block).toContain(`${c.isPassed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
    // 90th percentiles 117,000,000 and 129,500,000 bytes (see the RSS growth test above).
    expect(block).toContain('| process | RSS (90th percentile), first 1 min after warm-up → last 1 min | open fds (floor) |');
    expect(block).toContain('| cloud | 111.6 MiB → 123.5 MiB (+10.7 %) | 30 → 30 (+0.0 %) |');
    expect(block).toContain('`--max-semi-space-size=2`');
    expect(block).toContain('sent 10, completed 9, errors 1');
  });
});
