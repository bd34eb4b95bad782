// The decision figures (analysis/verdict.ts, analysis/waterfall.ts) on a real run: what they state
// must follow from the result itself — budget verdicts and margins from the merged p99, the round
// trips that fit from the model, the ranking by p99, the waterfall's distance from the configured
// legs and its parts adding up to the measured mean — and the text reports show the verdict first.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { analyzeRun } from '../../src/analysis/analyze-run.js';
import { computeVerdicts } from '../../src/analysis/verdict.js';
import { computeWaterfalls } from '../../src/analysis/waterfall.js';
import type { RunResult } from '../../src/metrics/result.js';
import { renderConsole } from '../../src/report/console.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { MIN_QUOTABLE_SETUPS, formatDeltaUs, formatEstimateUs, formatUs } from '../../src/report/format.js';

const load = (): RunResult => JSON.parse(readFileSync(new URL('../fixtures/results/decision-run.json', import.meta.url), 'utf8')) as RunResult;

function verdictOf(result: RunResult) {
  const verdict = computeVerdicts(result, analyzeRun(result))[0];
  if (verdict === undefined) throw new Error('no verdict');
  return verdict;
}

describe('verdict', () => {
  test('one verdict per compared variant, in order, each with its own k and the costs of its own comparisons', () => {
    const result = load();
    const analysis = analyzeRun(result);
    const verdicts = computeVerdicts(result, analysis);
    expect(verdicts.map((v) => v.key)).toEqual(['orders[roundTripsPerTransaction=1]', 'orders[roundTripsPerTransaction=3]']);
    expect(verdicts.map((v) => v.roundTripsPerTransaction)).toEqual([1, 3]);
    for (const v of verdicts) {
      expect(v.paths.map((p) => p.pathId).sort()).toEqual(['direct', 'relay-emulated', 'relay-north-europe']);
      for (const cost of v.relays) {
        const c = analysis.comparisons.find((x) => x.key === v.key && x.relayPathId === cost.pathId)!;
        const p99 = c.percentiles.find((p) => p.metric === 'transaction' && p.percentile === 'p99')!;
        expect(cost.p99.deltaUs).toEqual(p99.deltaUs);
        expect(v.paths.find((p) => p.pathId === cost.pathId)!.transactionP99Us).toBe(p99.relayUs);
      }
    }
    // Three round trips per transaction cost more than one on every path: the second verdict is not the first one again.
    for (const p of verdicts[1]!.paths) expect(p.transactionMeanUs).toBeGreaterThan(verdicts[0]!.paths.find((x) => x.pathId === p.pathId)!.transactionMeanUs);
  });

  test('budget: met exactly when p99 <= budget, margin = budget − p99; round trips that fit bracket the budget (every variant)', () => {
    const result = load();
    const verdicts = computeVerdicts(result, analyzeRun(result));
    expect(verdicts[0]!.paths.map((p) => p.pathId)).toEqual(['direct', 'relay-emulated', 'relay-north-europe']);
    for (const p of verdicts.flatMap((v) => (expect(v.budgetMs).toBe(60), v.paths))) {
      expect(p.budget?.meets).toBe(p.transactionP99Us <= 60_000);
      expect(p.budget?.marginMs).toBeCloseTo(60 - p.transactionP99Us / 1000, 9);
      const m = p.model!;
      const tail = Math.max(0, p.transactionP99Us - p.transactionMeanUs);
      const at = (k: number) => m.aUs + m.bUs * k + tail;
      expect(m.source).toBe('fit');
      if (p.maxRoundTrips! > 0) expect(at(p.maxRoundTrips!)).toBeLessThanOrEqual(60_000);
      expect(at(p.maxRoundTrips! + 1)).toBeGreaterThan(60_000);
    }
  });

  test('relay placements are ranked by transaction p99, and each cost is relay − direct of the same figures', () => {
    const verdict = verdictOf(load());
    const relays = verdict.paths.slice(1);
    for (let i = 1; i < relays.length; i++) expect(relays[i]!.transactionP99Us).toBeGreaterThanOrEqual(relays[i - 1]!.transactionP99Us);
    expect(relays.map((p) => p.relayRegion)).toEqual(['West Europe', 'North Europe']);
    verdict.relays.forEach((cost, i) => {
      expect(cost.pathId).toBe(relays[i]!.pathId);
      expect(cost.p99.deltaUs.value).toBe(relays[i]!.transactionP99Us - verdict.paths[0]!.transactionP99Us);
      expect(cost.throughput.isCeiling).toBe(true);
    });
  });

  test('connection setup over direct: a TCP-connect figure gets the relay rendezvous that follows it added, stated as such', () => {
    const result = load();
    const verdict = verdictOf(result);
    const text = renderConsole(result);
    for (const cost of verdict.relays) {
      const forwarder = result.pathCounters![cost.pathId]!['forwarder'] as { timing: { setup: { summary: { p50Us: number } } } };
      expect(cost.rendezvousP50Us).toBe(forwarder.timing.setup.summary.p50Us);
      expect(cost.rendezvousP50Us!).toBeGreaterThan(0);
      expect(cost.connectionSetup?.metric).toBe('connect');
      const total = cost.connectionSetup!.deltaUs.value + cost.rendezvousP50Us!;
      const timed = Math.min(cost.connectionSetup!.connections.direct, cost.connectionSetup!.connections.relay, cost.rendezvousConnections);
      // This run pooled its connections: 4 new ones per path, named for what they are.
      expect(timed).toBe(4);
      expect(text).toContain(
        `connection setup ≈ ${formatDeltaUs(total)} (TCP connect ${formatEstimateUs(cost.connectionSetup!.deltaUs)} + relay rendezvous ${formatUs(cost.rendezvousP50Us!)}, p50 each over 4 new connections: a cold start, too few to quote as a typical setup;`,
      );
    }
  });

  test('new connections: the handshakes the emulated distance leaves out are stated per path from the configured legs, and only with distance', () => {
    const result = load();
    const topology = result.topology!.paths as { id: string; kind: string; appToRelay?: { oneWayDelayMs: number }; relayToAgent?: { oneWayDelayMs: number }; direct?: { oneWayDelayMs: number } }[];
    const rtt = (leg: { oneWayDelayMs: number } | undefined): number => 2000 * (leg?.oneWayDelayMs ?? 0);
    const expected = topology.map((p) => ({ id: p.id, us: p.kind === 'direct' ? rtt(p.direct) : 2 * (rtt(p.appToRelay) + rtt(p.relayToAgent)) }));
    // direct 1.5 ms one way: its TCP round trip; relay-emulated 0.5 + 1.5 ms one way: TCP + TLS on both legs.
    expect(expected.find((p) => p.id === 'direct')?.us).toBe(3000);
    expect(expected.find((p) => p.id === 'relay-emulated')?.us).toBe(8000);
    const text = renderConsole(result);
    const line = text.split('\n').find((l) => l.includes('new connections: TCP and TLS handshakes pay no emulated distance'));
    expect(line).toBeDefined();
    expect(line).toContain(`direct +${formatUs(3000)} (its TCP round trip)`);
    for (const p of expected.filter((x) => x.id !== 'direct')) expect(line).toContain(`${p.id} +${formatUs(p.us)} (TCP and one TLS round trip on each leg)`);
    expect(text.indexOf('handshakes pay no emulated distance')).toBeLessThan(text.indexOf('where a transaction\'s time goes'));

    for (const p of topology) for (const leg of [p.direct, p.appToRelay, p.relayToAgent]) if (leg !== undefined) leg.oneWayDelayMs = 0;
    expect(renderConsole(result)).not.toContain('handshakes pay no emulated distance');
  });

  test('new connections: paths that recorded their emulated handshakes say what those add instead; a path with none says so', () => {
    const result = load();
    type Leg = { oneWayDelayMs: number } | undefined;
    const topology = result.topology!.paths as { id: string; kind: string; handshakeRoundTrips?: number; appToRelay?: Leg; relayToAgent?: Leg }[];
    for (const p of topology) p.handshakeRoundTrips = p.kind === 'direct' ? 1 : 2;
    const rtt = (leg: Leg): number => 2000 * (leg?.oneWayDelayMs ?? 0);
    const text = renderConsole(result);
    expect(text).not.toContain('handshakes pay no emulated distance');
    const line = text.split('\n').find((l) => l.includes('new connections: emulated TCP and TLS handshakes add'));
    expect(line).toBeDefined();
    // direct: 1 × its 3 ms round trip; relay-emulated (0.5 + 1.5 ms one way): 2 × (1 + 3) ms.
    expect(line).toContain(`direct +${formatUs(3000)} (TCP's round trip, held after its connect`);
    expect(line).toContain(`relay-emulated +${formatUs(8000)} (2 round trips on each leg, TCP and TLS, inside its rendezvous)`);
    for (const p of topology.filter((x) => x.kind === 'relay-emulated')) expect(line).toContain(`${p.id} +${formatUs(2 * (rtt(p.appToRelay) + rtt(p.relayToAgent)))} (2 round trips`);
    // The direct path's TCP connect completed locally: its held round trip comes off the relay's extra setup.
    const cost = computeVerdicts(result, analyzeRun(result))[0]!.relays[0]!;
    expect(cost.directHandshakeUs).toBe(3000);
    expect(text).toContain(
      `connection setup ≈ ${formatDeltaUs(cost.connectionSetup!.deltaUs.value + cost.rendezvousP50Us! - 3000)} (TCP connect ${formatEstimateUs(cost.connectionSetup!.deltaUs)} + relay rendezvous ${formatUs(cost.rendezvousP50Us!)} − direct's held TCP round trip ${formatUs(3000)}, p50 each`,
    );

    for (const p of topology) p.handshakeRoundTrips = 0;
    expect(renderConsole(result)).toContain('new connections: emulated TCP and TLS handshakes add, over these distances: direct none');
  });

  test('connection setup: the connections behind it are counted from the result; from MIN_QUOTABLE_SETUPS on it is not called a cold start', () => {
    const result = load();
    const c = analyzeRun(result).comparisons[0]!;
    const connectSummaries = (pathId: string) =>
      result.steps.flatMap((s) => ('metrics' in s && s.pathId === pathId && s.stepId.startsWith(`${c.key}@`) && c.repetitions.includes(s.repetition ?? 0) ? [s.metrics.histograms.connect!.summary] : []));
    const count = (pathId: string) => connectSummaries(pathId).reduce((sum, summary) => sum + summary.count, 0);
    expect(c.connectionSetup!.connections).toEqual({ direct: count(c.directPathId), relay: count(c.relayPathId) });
    // The same figures as if every path had timed enough connections (counts only: the percentiles stay).
    for (const step of result.steps) {
      const connect = 'metrics' in step ? step.metrics.histograms.connect : undefined;
      if (connect !== undefined) connect.summary.count = MIN_QUOTABLE_SETUPS;
    }
    for (const counters of Object.values(result.pathCounters!)) {
      const setup = (counters['forwarder'] as { timing?: { setup?: { summary: { count: number } } } } | undefined)?.timing?.setup;
      if (setup !== undefined) setup.summary.count = MIN_QUOTABLE_SETUPS;
    }
    const cost = verdictOf(result).relays[0]!;
    const timed = Math.min(cost.connectionSetup!.connections.direct, cost.connectionSetup!.connections.relay, cost.rendezvousConnections);
    expect(timed).toBeGreaterThanOrEqual(MIN_QUOTABLE_SETUPS);
    const text = renderConsole(result);
    expect(text).toContain(`relay rendezvous ${formatUs(cost.rendezvousP50Us!)}, p50 each over ${timed} new connections; without pooling`);
    expect(text).not.toContain('a cold start');
  });

  test('open model: the response time from the intended start (pool wait included) is stated relay − direct; a closed run has none', () => {
    // A real run of scenarios/pricing-database.yaml at its defaults (open model, 8 pooled connections, 40 round trips).
    const open = JSON.parse(readFileSync(new URL('../fixtures/results/pricing-database-run.json', import.meta.url), 'utf8')) as RunResult;
    const analysis = analyzeRun(open);
    const verdict = verdictOf(open);
    const cost = verdict.relays[0]!;
    const c = analysis.comparisons.find((x) => x.relayPathId === cost.pathId)!;
    for (const pct of ['p50', 'p99'] as const) {
      const rt = c.percentiles.find((p) => p.metric === 'responseTime' && p.percentile === pct)!;
      expect(cost.responseTime![pct].deltaUs).toEqual(rt.deltaUs);
      expect(cost.responseTime![pct].percent).toBeCloseTo((100 * rt.deltaUs.value) / rt.directUs, 9);
    }
    expect(cost.throughput.isCeiling).toBe(false);
    const text = renderConsole(open);
    expect(text).toContain(`response time from the intended start (waiting for a pooled connection included) ${formatEstimateUs(cost.responseTime!.p50.deltaUs)}`);
    // The pasteable sentence says it too: a design review must not read only the pooled transaction time.
    expect(text.split('\n').find((l) => l.startsWith('in one sentence: '))).toContain(`waiting for a pooled connection included), it adds ${formatEstimateUs(cost.responseTime!.p50.deltaUs)} at p50 and ${formatEstimateUs(cost.responseTime!.p99.deltaUs)} at p99.`);
    const closed = verdictOf(load());
    expect(closed.relays.every((r) => r.responseTime === null)).toBe(true);
    expect(renderConsole(load())).not.toContain('response time from the intended start');
  });

  test('a paced load states no throughput ceiling; no budget states no margin', () => {
    const result = load();
    for (const step of result.steps) if (step.status !== 'failed') step.metrics.timing = { model: 'open', latencyFrom: 'intended', coordinatedOmissionCorrection: 'none', ratePerSec: 50 };
    delete (result.scenario.resolved as { budget?: unknown }).budget;
    const verdict = verdictOf(result);
    expect(verdict.relays.every((r) => !r.throughput.isCeiling)).toBe(true);
    expect(verdict.budgetMs).toBeNull();
    expect(verdict.paths.every((p) => p.budget === undefined && p.maxRoundTrips === undefined)).toBe(true);
  });
});

describe('waterfall', () => {
  test('distance = configured leg round trips × k; the parts add up to the measured mean unless they overshoot it', () => {
    const result = load();
    const verdict = verdictOf(result);
    const waterfalls = computeWaterfalls(result, verdict);
    const topology = result.topology!.paths as { id: string; appToRelay?: { oneWayDelayMs: number }; relayToAgent?: { oneWayDelayMs: number }; direct?: { oneWayDelayMs: number } }[];
    for (const w of waterfalls) {
      const legs = topology.find((p) => p.id === w.pathId)!;
      const configured = [legs.appToRelay, legs.relayToAgent, legs.direct].reduce((sum, l) => sum + (l === undefined ? 0 : 2000 * l.oneWayDelayMs), 0);
      const distance = w.segments.filter((s) => s.kind === 'distance').reduce((sum, s) => sum + s.us, 0);
      expect(distance).toBeCloseTo(configured * verdict.roundTripsPerTransaction, 6);
      const sum = w.segments.reduce((s, x) => s + x.us, 0);
      expect(sum - w.overshootUs).toBeCloseTo(w.totalUs, 6);
      expect(w.segments.every((s) => s.us >= 0)).toBe(true);
    }
    const relay = waterfalls.find((w) => w.pathId === 'relay-emulated')!;
    expect(relay.segments.map((s) => s.kind)).toEqual(['distance', 'distance', 'service', 'forwarder', 'agent', 'rendezvous', 'emulation-error', 'rest']);
    expect(waterfalls.find((w) => w.pathId === 'direct')!.segments.some((s) => s.kind === 'forwarder')).toBe(false);
  });
});

describe('text reports', () => {
  test('console and Markdown put the decision block before the comparison tables', () => {
    const text = renderConsole(load());
    expect(text.indexOf('decision · orders[roundTripsPerTransaction=1]')).toBeGreaterThan(0);
    expect(text.indexOf('decision · ')).toBeLessThan(text.indexOf('4 variants, direct vs relay-emulated'));
    expect(text).toContain('relay-north-europe (relay in North Europe): p99');
    expect(text).toMatch(/relay placements, best first:\n.*\n {2}1\. relay-emulated/);
    expect(text).toContain('the first of 2 compared variants in detail');
    const md = renderMarkdown(load());
    expect(md.indexOf('> For orders')).toBeLessThan(md.indexOf('### orders'));
  });

  test('every compared variant gets its verdict row per path, with the figures of its own verdict', () => {
    const result = load();
    const verdicts = computeVerdicts(result, analyzeRun(result));
    const text = renderConsole(result);
    const after = text.slice(text.indexOf('every compared variant')).split('\n').slice(2);
    const rows = after.slice(0, after.findIndex((l) => !l.startsWith('  '))).map((l) => l.trim().split(/\s{2,}/));
    expect(rows).toHaveLength(verdicts.reduce((n, v) => n + v.paths.length, 0));
    let at = 0;
    for (const v of verdicts) {
      expect(rows[at]![0]).toBe(v.key);
      for (const p of v.paths) {
        const row = rows[at++]!;
        const cells = row.length === 7 ? row.slice(1) : row;
        expect(cells[0]).toBe(p.pathId);
        const margin = cells.at(-1)!;
        expect(margin.startsWith(p.budget!.meets ? 'meets, ' : 'misses, ')).toBe(true);
        expect(margin).toContain(`${Math.abs(p.budget!.marginMs).toFixed(Math.abs(p.budget!.marginMs) < 10 ? 1 : 0)} ms`);
      }
    }
    const md = renderMarkdown(result);
    for (const v of verdicts) expect(md).toContain(v.key);
    expect(md).toContain('every compared variant');
  });
});
