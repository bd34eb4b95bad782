// The analysis on real runs: two identical paths (A vs A) give a confidence interval for the
// delta that contains 0; a path with +2 ms injected per round trip (its own 1 ms one-way leg)
// yields a per-round-trip slope difference within 10 % of 2 ms.

import { describe, expect, test } from 'vitest';
import { analyzeRun } from '../../src/analysis/analyze-run.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { runPlan } from '../../src/run/run-plan.js';
import { parseScenarioText } from '../../src/scenario/load.js';

async function run(text: string) {
  const scenario = parseScenarioText(text, 'stat.yaml');
  return runPlan(buildPlan(scenario), { scenario, scenarioFile: 'stat.yaml', signal: AbortSignal.timeout(240_000) });
}

describe('overhead statistics on real runs', () => {
  test('A vs A: the interval of the p50 round-trip delta contains 0', async () => {
    const result = await run(`name: a-vs-a
target: { kind: tcp-request-response }
paths: [{ kind: direct, id: a }, { kind: direct, id: b }]
workload: { kind: tcp-request-response, connections: 1, roundTripsPerTransaction: 5 }
durationMs: 400
warmupMs: 100
repetitions: 8
`);

    // 99 %: an A vs A interval excludes 0 by chance in 1 % of runs (the bootstrap on n=8
    // under-covers a little), so the test stays stable while a real difference would still show.
    const comparison = analyzeRun(result, { confidence: 0.99 }).comparisons[0];
    const p50 = comparison?.percentiles.find((r) => r.metric === 'roundTrip' && r.percentile === 'p50');
    expect(p50?.deltaUs.interval, JSON.stringify(p50)).not.toBeNull();
    expect(p50!.deltaUs.interval!.low).toBeLessThanOrEqual(0);
    expect(p50!.deltaUs.interval!.high).toBeGreaterThanOrEqual(0);
  }, 240_000);

  test('+2 ms per round trip on one path: slope difference within 10 % of 2 ms', async () => {
    const result = await run(`name: injected
target: { kind: tcp-request-response }
paths:
  - { kind: direct, id: near }
  - { kind: direct, id: far, direct: { oneWayDelayMs: 1 } }
workload:
  kind: tcp-request-response
  connections: 1
  matrix: { roundTripsPerTransaction: [1, 4, 8] }
durationMs: 600
warmupMs: 100
repetitions: 2
`);

    const fit = analyzeRun(result, { fitStatistic: 'p50' }).fits[0];
    expect(fit, 'a round-trip fit').toBeDefined();
    expect(fit!.slopeDeltaUs.value).toBeGreaterThan(1_800);
    expect(fit!.slopeDeltaUs.value).toBeLessThan(2_200);
  }, 240_000);
});
