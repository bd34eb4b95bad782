// The soak entry's verdicts from recorded data (no processes): growth windows and statistics,
// transaction accounting and fault recovery. Each check is shown to fail on the data it guards against.

import { describe, expect, test } from 'vitest';
import { growthOf, readProcess, type ProcessSample } from '../../bench/lib/process-samples.js';
import { accountingOf, soakCriteria, soakStepOf, type SoakStep } from '../../bench/lib/soak-criteria.js';
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

  test('RSS growth compares medians of the first post-warm-up minute and the last', () => {
    const growing = growthOf(samples(5, () => 30, (ms) => 100e6 + ms * 100), 120_000, 60_000).find((g) => g.figure === 'rssBytes');
    expect(growing?.statistic).toBe('median');
    expect(growing?.baseline).toBe(100e6 + 147_500 * 100);
    expect(growing?.last).toBe(100e6 + 272_500 * 100);
    const criteria = soakCriteria([], growthOf(samples(5, () => 30, (ms) => 100e6 + ms * 100), 120_000, 60_000), 0);
    expect(criteria.find((c) => c.name.startsWith('RSS'))?.isPassed).toBe(false);
    expect(criteria.find((c) => c.name.startsWith('open fds'))?.isPassed).toBe(true);
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
    // Medians 114,750,000 and 127,250,000 bytes (see the RSS growth test above).
    expect(block).toContain('| cloud | 109.4 MiB → 121.4 MiB (+10.9 %) | 30 → 30 (+0.0 %) |');
    expect(block).toContain('`--max-semi-space-size=2`');
    expect(block).toContain('sent 10, completed 9, errors 1');
  });
});
