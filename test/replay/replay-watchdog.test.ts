// The step watchdog allows a replay its recorded length: a conversation recorded at 2.5 s (a long
// think time between two turns) that starts inside a 300 ms window, replayed as recorded at speed
// 1.0 with a 200 ms watchdog grace, outlives warm-up + window + grace. The replay reports its own hard deadline (window
// + longest conversation + timeout) through `extendDeadline`, so the step completes with the
// conversation whole; the same step with that report withheld is failed by the watchdog, which
// shows the extension is what holds it. Real target, real sockets, the real replay driver.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPlan, PATH_PRIMING_MS } from '../../src/plan/build-plan.js';
import { runPlan } from '../../src/run/run-plan.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { renderTrace } from '../../src/trace/render.js';
import { workloads, type WorkloadRegistry } from '../../src/workloads/index.js';

const THINK_US = 2_500_000;
const GRACE_MS = 200;

let dir: string;
let scenario: Scenario;
const file = (): string => join(dir, 'long.yaml');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-replay-watchdog-'));
  const turn = (thinkUs: number) => ({ thinkUs, requestBytes: 20, serverUs: 0, responseBytes: 10, responseUs: 0 });
  await writeFile(
    join(dir, 'long.json'),
    // A short conversation at the start (in the path's priming warm-up), the long one 100 ms into
    // the measured window; the recording is long enough that the schedule does not repeat.
    renderTrace({
      recordedAt: '2026-01-01T00:00:00.000Z', payload: 'sizes', durationUs: 10_000_000, peakConcurrency: 1,
      conversations: [
        { id: 0, startUs: 0, connectUs: 0, durationUs: 1000, end: 'client-closed', turns: [turn(0)] },
        { id: 1, startUs: (PATH_PRIMING_MS + 100) * 1000, connectUs: 0, durationUs: THINK_US + 1000, end: 'client-closed', turns: [turn(0), turn(THINK_US)] },
      ],
    }),
  );
  await writeFile(
    file(),
    ['name: long-replay', 'target: { kind: tcp-request-response }', 'paths:', '  - kind: direct', 'workload: { kind: replay, trace: long.json, target: built-in, speed: 1.0 }', 'durationMs: 300', 'warmupMs: 0', 'repetitions: 1'].join('\n'),
  );
  scenario = await loadScenarioFile(file());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(registry: WorkloadRegistry) {
  const plan = buildPlan(scenario);
  const started = performance.now();
  const result = await runPlan(plan, { scenario, scenarioFile: file(), signal: new AbortController().signal, stepOptions: { workloads: registry, watchdog: { graceMs: GRACE_MS } } });
  return { plan, result, elapsedMs: performance.now() - started };
}

describe('step watchdog and replayed conversations', () => {
  test('a conversation recorded longer than window + grace completes whole: the replay extends the watchdog by its recorded length', async () => {
    const { plan, result } = await run(workloads);
    const [planned] = plan.steps;
    expect(planned?.warmupMs).toBe(PATH_PRIMING_MS);
    const [step] = result.steps;
    expect(planned).toBeDefined();
    expect(step?.status, JSON.stringify(step)).toBe('completed');
    if (step?.status !== 'completed') return;
    // The conversation outlived what the watchdog allowed before (warm-up + window + grace).
    expect(THINK_US / 1000).toBeGreaterThan((planned?.warmupMs ?? 0) + (planned?.durationMs ?? 0) + GRACE_MS);
    const counters = step.metrics.counters;
    expect(counters.errors).toEqual({});
    expect(step.metrics.replay?.conversations).toBe(1);
    expect(step.metrics.replay?.turns).toBe(2);
    expect(counters.transactions).toBe(1);
    expect(counters.roundTrips).toBe(2);
    // Its duration holds the recorded think time.
    expect(step.metrics.histograms.transaction.summary.maxUs).toBeGreaterThanOrEqual(THINK_US);
  }, 60_000);

  test('without the extension the same step is failed by the watchdog (ERR_STUCK)', async () => {
    const withheld: WorkloadRegistry = { ...workloads, replay: { kind: 'replay', run: ({ extendDeadline: _ignored, ...options }) => workloads.replay.run(options) } };
    const { result } = await run(withheld);
    const [step] = result.steps;
    expect(step?.status).toBe('failed');
    if (step?.status === 'failed') expect(step.error.code).toBe('ERR_STUCK');
  }, 60_000);
});
