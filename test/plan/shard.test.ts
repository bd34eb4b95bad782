// `--shard I/N` on the plan: 1/1 is today's plan byte for byte; for every N the slices add up to
// the whole step exactly (connections, bounds, rates, stages), remainders spread one each to the
// first shards; a 0-connection share is an empty step; bad specs are refused (exit 2 via commander).

import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { buildPlan, type Plan } from '../../src/plan/build-plan.js';
import { planFingerprint, shareOf, slicePlan, type ShardedStep } from '../../src/plan/shard.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { parseShard, parseStartAt } from '../../src/cli/shard-run.js';
import { windowSchedule, STEP_GAP_MS } from '../../src/run/start-at.js';
import type { OpenLoad, TcpRequestResponseParams } from '../../src/workloads/types.js';

const SCENARIO = `
name: shard-plan
description: two workloads on two paths
network: same-region
target: { kind: tcp-request-response }
paths: [{ kind: direct }, { kind: relay-emulated }]
workloads:
  - id: closed
    kind: tcp-request-response
    connections: 7
    generators: 3
    roundTripsPerTransaction: 2
    requestBytes: 64
    responseBytes: 64
  - id: open
    kind: tcp-request-response
    connections: 10
    roundTripsPerTransaction: 1
    requestBytes: 64
    responseBytes: 64
    load: { model: open, arrivals: poisson, ratePerSec: 333.3, maxInFlight: 9, maxQueue: 101, stages: [{ durationMs: 500, targetRatePerSec: 1000.7 }] }
  - id: streams
    kind: tcp-stream
    direction: upload
    connections: 3
    probe: { ratePerSec: 10 }
durationMs: 1000
warmupMs: 100
repetitions: 2
`;

const HTTP_SCENARIO = `
name: shard-http
description: an http workload
target: { kind: http }
paths: [{ kind: direct }]
workload: { id: web, kind: http, connections: 5, ratePerSec: 99 }
`;

function plan(): Plan {
  return buildPlan(parseScenarioText(SCENARIO, 'shard-plan.yaml'));
}

/** Both scenarios' steps in one plan (slicing is per step). */
function allSteps(): Plan {
  const whole = plan();
  return { ...whole, steps: [...whole.steps, ...buildPlan(parseScenarioText(HTTP_SCENARIO, 'shard-http.yaml')).steps] };
}

type TcpStep = ShardedStep & { workload: TcpRequestResponseParams };

describe('slicePlan', () => {
  test('--shard 1/1 is today\'s plan, byte for byte', () => {
    const whole = plan();
    expect(JSON.stringify(slicePlan(whole, { index: 1, count: 1 }))).toBe(JSON.stringify(plan()));
  });

  test.each([2, 3, 4, 7, 11, 1024])('the %i slices of every step add up to the whole step exactly', (count) => {
    const whole = allSteps();
    const slices = Array.from({ length: count }, (_, i) => slicePlan(whole, { index: i + 1, count }));
    for (const [s, step] of whole.steps.entries()) {
      const parts = slices.map((p) => p.steps[s] as TcpStep);
      const running = parts.filter((p) => p.emptyShare === undefined);
      const connections = (step.workload as { connections: number }).connections;
      // Integers exactly; a 0-connection share is an empty step that says so.
      expect(running.reduce((a, p) => a + p.workload.connections, 0)).toBe(connections);
      expect(parts.length - running.length).toBe(Math.max(0, count - connections));
      for (const p of parts.filter((x) => x.emptyShare !== undefined)) expect(p.emptyShare).toMatch(/has 0 of this step's \d+ connections: it ran an empty step/);
      // Remainders one each to the first shards: shares never differ by more than one, larger first.
      const shares = parts.map((p) => (p.emptyShare === undefined ? p.workload.connections : 0));
      expect(shares).toEqual([...shares].sort((a, b) => b - a));
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      const load = (step.workload as { load?: OpenLoad }).load;
      if (load?.model === 'open') {
        const loads = running.map((p) => p.workload.load as OpenLoad);
        expect(loads.reduce((a, l) => a + l.ratePerSec, 0)).toBeCloseTo(load.ratePerSec, 9);
        expect(loads.reduce((a, l) => a + (l.stages?.[0]?.targetRatePerSec ?? 0), 0)).toBeCloseTo(load.stages?.[0]?.targetRatePerSec ?? 0, 9);
        // Each connection keeps the rate it has in the whole run.
        for (const l of loads.slice(0, -1)) expect(l.ratePerSec / (running[loads.indexOf(l)]?.workload.connections ?? 1)).toBeCloseTo(load.ratePerSec / connections, 9);
        expect(new Set(loads.map((l) => l.seed)).size).toBe(loads.length);
        if (count <= 9) expect(loads.reduce((a, l) => a + (l.maxInFlight ?? 0), 0)).toBe(load.maxInFlight);
      }
      if (step.workload.kind === 'http') expect(running.reduce((a, p) => a + ((p.workload as { ratePerSec?: number }).ratePerSec ?? 0), 0)).toBeCloseTo(99, 9);
      if (step.workload.kind === 'tcp-stream') expect(running.filter((p) => 'probe' in p.workload).length).toBe(1);
      const generators = running.map((p) => p.workload.generators ?? 1);
      for (const [i, g] of generators.entries()) expect(g).toBeLessThanOrEqual(running[i]?.workload.connections ?? 0);
    }
  });

  test('shareOf spreads the remainder by index and never loses or doubles one', () => {
    for (let total = 0; total < 40; total++) {
      for (let count = 1; count <= 12; count++) {
        const shares = Array.from({ length: count }, (_, i) => shareOf(total, i + 1, count));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      }
    }
  });

  test('every shard has the fingerprint of the whole plan; another plan has another', () => {
    const whole = plan();
    const other = buildPlan(parseScenarioText(SCENARIO.replace('durationMs: 1000', 'durationMs: 1001'), 'x.yaml'));
    expect(planFingerprint(whole)).toMatch(/^[0-9a-f]{64}$/);
    expect(planFingerprint(plan())).toBe(planFingerprint(whole));
    expect(planFingerprint(other)).not.toBe(planFingerprint(whole));
  });
});

describe('--shard and --start-at arguments', () => {
  test.each(['0/4', '5/4', '1/0', '1/1025', '2', 'a/b', '1/2/3', '-1/2', ' 1/2'])('--shard %j is refused', (value) => {
    expect(() => parseShard(value)).toThrow(InvalidArgumentError);
    expect(() => parseShard(value)).toThrow(/1 <= I <= N <= 1024/);
  });

  test('--shard 3/4 and 1024/1024 are accepted', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard('1024/1024')).toEqual({ index: 1024, count: 1024 });
  });

  test.each(['2026-13-01T00:00:00Z', '2026-01-01T00:00:00', 'tomorrow', '2026-01-01'])('--start-at %j is refused', (value) => {
    expect(() => parseStartAt(value)).toThrow(/ISO-8601 instant with a time zone/);
  });

  test('the schedule puts every later window after the previous window, the gap and its own warm-up', () => {
    const whole = plan();
    const starts = windowSchedule(whole.steps, 1_000_000, { ns: 5_000_000_000n, referenceMs: 999_000 });
    expect(starts[0]).toBe(5_000_000_000n + 1_000_000_000n);
    for (let i = 1; i < starts.length; i++) {
      const gapMs = Number((starts[i] as bigint) - (starts[i - 1] as bigint)) / 1e6;
      expect(gapMs).toBe((whole.steps[i - 1]?.durationMs ?? 0) + STEP_GAP_MS + (whole.steps[i]?.warmupMs ?? 0));
    }
  });
});
