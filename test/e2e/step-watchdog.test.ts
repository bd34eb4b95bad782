// The step watchdog and the bounded waits: a workload that never ends (a driver bug, stood in for by
// a driver that never settles) becomes a failed step naming the process and operation, the run goes
// on and its result is still written; after Ctrl-C it gets the drain and no more. The paths, the
// on-prem process and the target are real.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InterruptedError, StuckError } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { bounded, interruptBudget } from '../../src/bounded.js';
import { runPlan } from '../../src/run/run-plan.js';
import { writeFileAtomic } from '../../src/run/write-results.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { workloads, type WorkloadRegistry } from '../../src/workloads/index.js';

/** Stands in for a driver bug: a workload that never resolves, whatever its signal does. */
const stuck: WorkloadRegistry = { ...workloads, 'tcp-request-response': { kind: 'tcp-request-response', run: () => new Promise(() => undefined) } };

let dir: string;
let scenario: Scenario;
const file = () => join(dir, 'watchdog.yaml');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-watchdog-'));
  await writeFile(
    file(),
    [
      'name: watchdog',
      'target: { kind: tcp-request-response }',
      'paths:',
      '  - kind: direct',
      'workload: { kind: tcp-request-response, connections: 1, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64 }',
      'durationMs: 300',
      'warmupMs: 0',
      'repetitions: 2',
    ].join('\n'),
  );
  scenario = await loadScenarioFile(file());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('step watchdog', () => {
  test('a step that never ends fails at its deadline naming process and operation; the run goes on and the result is written', async () => {
    const checkpoints: RunResult[] = [];
    const plan = buildPlan(scenario);
    // Each step's deadline is its own warm-up (the first on a path is primed) + duration + the 200 ms grace.
    const deadlines = plan.steps.map((step) => step.warmupMs + step.durationMs + 200);
    const result = await runPlan(plan, {
      scenario,
      scenarioFile: file(),
      signal: new AbortController().signal,
      stepOptions: { workloads: stuck, watchdog: { graceMs: 200 } },
      onCheckpoint: async (partial) => {
        checkpoints.push(partial);
        await writeFileAtomic(dir, 'summary.json', JSON.stringify(partial));
      },
    });
    expect(result.status).toBe('failed');
    expect(result.steps).toHaveLength(2);
    for (const [index, step] of result.steps.entries()) {
      expect(step.status).toBe('failed');
      if (step.status !== 'failed') continue;
      expect(step.error.code).toBe('ERR_STUCK');
      expect(step.error.message).toMatch(new RegExp(`^stuck: app \\(pid ${process.pid}\\) workload tcp-request-response of step \\S+ on direct did not finish within ${deadlines[index]} ms$`));
    }
    expect(checkpoints).toHaveLength(2);
    const written = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunResult;
    expect(written.steps.map((s) => s.status)).toEqual(['failed', 'failed']);
  }, 60_000);

  test('after Ctrl-C a step that does not stop fails after the drain, and the run ends aborted', async () => {
    const controller = new AbortController();
    const plan = buildPlan(scenario);
    // Each step's deadline is its own warm-up (the first on a path is primed) + duration + the 200 ms grace.
    const deadlines = plan.steps.map((step) => step.warmupMs + step.durationMs + 200);
    const result = await runPlan(plan, {
      scenario,
      scenarioFile: file(),
      signal: controller.signal,
      stepOptions: { workloads: stuck, watchdog: { graceMs: 60_000, drainMs: 300 } },
      onProgress: (event) => {
        if (event.type === 'step-start') controller.abort();
      },
    });
    expect(result.status).toBe('aborted');
    expect(result.steps).toHaveLength(1);
    const [step] = result.steps;
    expect(step?.status).toBe('failed');
    if (step?.status === 'failed') expect(step.error.message).toMatch(/workload tcp-request-response of step \S+ on direct did not stop within 300 ms of the interrupt$/);
  }, 60_000);
});

describe('bounded waits', () => {
  test('pass a value through, name the wait on timeout and on interrupt', async () => {
    await expect(bounded(Promise.resolve(7), { what: 'x', timeoutMs: 1_000 })).resolves.toBe(7);
    await expect(bounded(new Promise(() => undefined), { what: 'onprem process (pid 1) stats', timeoutMs: 20 })).rejects.toThrow(
      new StuckError('onprem process (pid 1) stats did not finish within 20 ms'),
    );
    const controller = new AbortController();
    const waiting = bounded(new Promise(() => undefined), { what: 'cloud process (pid 2) startRelay', signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow(new InterruptedError('interrupted while waiting for cloud process (pid 2) startRelay'));
  });

  test('the interrupt budget starts when the step is released, not while it drains', async () => {
    const interrupt = new AbortController();
    const budget = interruptBudget(interrupt.signal, 50);
    budget.hold();
    interrupt.abort();
    // Held: a wait bounded by the budget is not cut short while the step drains.
    await expect(bounded(new Promise((r) => setTimeout(() => r('drained'), 120)), { what: 'drain', signal: budget.signal })).resolves.toBe('drained');
    budget.release();
    await expect(bounded(new Promise(() => undefined), { what: 'writing x', signal: budget.signal })).rejects.toThrow(
      new InterruptedError('writing x did not finish within 50 ms of the interrupt'),
    );
    budget.dispose();
  });
});
