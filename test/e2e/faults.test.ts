// Every fault action driven through a real run (relay-emulated path on real role processes, a
// connection-churn workload): each is recorded in the step's faultEvents at or after its planned
// time, the undo runs after the step, the refusing faults show up as errors by kind, and the agent
// stopped mid-step keeps the counters of the traffic it served (two instances, one restarted).

import { describe, expect, test } from 'vitest';
import { FAULT_ACTIONS } from '../../src/scenario/schema.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { runPlan } from '../../src/run/run-plan.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { renderConsole } from '../../src/report/console.js';
import { renderMarkdown } from '../../src/report/markdown.js';

const scenarioText = `name: every-fault
target: { kind: tcp-request-response }
paths:
  - kind: relay-emulated
    agents: 2
    faults:
      - { atMs: 700, action: stop-agent, agent: 1 }
      - { atMs: 1200, action: disconnect-listeners }
      - { atMs: 1700, action: cut-connections }
      - { atMs: 2200, action: expire-tokens }
      - { atMs: 3000, action: refuse-accepts }
      - { atMs: 3800, action: disable-hybrid-connection }
workload:
  kind: connection-churn
  connections: 2
  timeoutMs: 700
  load: { model: open, ratePerSec: 40, whenBehind: drop }
durationMs: 4400
warmupMs: 200
`;

/** Persistent connections: a cut necessarily breaks each of them once, and they reconnect. */
const cutScenarioText = `name: cut-persistent
target: { kind: tcp-request-response }
paths:
  - kind: relay-emulated
    faults:
      - { atMs: 600, action: cut-connections }
workload:
  kind: tcp-request-response
  connections: 2
  roundTripsPerTransaction: 1
  requestBytes: 64
  responseBytes: 64
  timeoutMs: 2000
durationMs: 1400
warmupMs: 100
`;

function errorSum(errors: Record<string, number | undefined>): number {
  return Object.values(errors).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

describe('faults end to end', () => {
  test('each fault action fires in a real run, is in the result and the reports, and leaves its mark', { timeout: 120_000 }, async () => {
    const scenario = parseScenarioText(scenarioText, 'every-fault.yaml');
    const plan = buildPlan(scenario);

    const result = await runPlan(plan, { scenario, scenarioFile: 'every-fault.yaml', signal: AbortSignal.timeout(100_000) });

    const step = result.steps[0];
    if (step === undefined || step.status !== 'completed') throw new Error(`step did not complete: ${JSON.stringify(step).slice(0, 500)}`);
    const events = step.faultEvents ?? [];
    const injected = events.filter((e) => e.phase === 'inject');
    expect(injected.map((e) => e.action).sort()).toEqual([...FAULT_ACTIONS].sort());
    expect(events.filter((e) => e.phase === 'undo')).toHaveLength(1);
    for (const event of events) {
      expect(event.outcome, `${event.action}: ${event.error ?? ''}`).toBe('ok');
      // libuv runs timers against its millisecond loop clock, so one may fire up to 1 ms early on performance.now().
      expect(event.firedAtMs).toBeGreaterThanOrEqual(event.atMs - 1);
    }
    const counters = step.metrics.counters;
    expect(errorSum(counters.errors)).toBeGreaterThan(0);
    expect(counters.transactions).toBeGreaterThan(0);
    // Every transaction accounted for: sent = completed + errors by kind + cut short at the end.
    for (const c of [counters, step.metrics.warmupCounters]) {
      if (c === undefined) continue;
      expect(c.sent ?? 0).toBe(c.transactions + errorSum(c.errors) + (c.stoppedInFlight ?? 0));
    }
    const byAction = new Map(injected.map((e) => [e.action, e]));
    for (const event of injected) {
      expect(event.effect, event.action).toBeDefined();
      expect(event.recoveryMs, event.action).not.toBeUndefined();
    }
    // refuse-accepts and disable-hybrid-connection hold until the step ends: every churned
    // connection dispatched after them fails (counted by kind) and none recovers.
    for (const action of ['refuse-accepts', 'disable-hybrid-connection']) {
      const event = byAction.get(action);
      expect(errorSum(event?.effect?.errors ?? {}), action).toBeGreaterThan(0);
      expect(event?.recoveryMs, action).toBeNull();
    }
    // With agent 0 still listening, transactions after stop-agent succeed again.
    expect(byAction.get('stop-agent')?.recoveryMs).toEqual(expect.any(Number));
    // The stopped agent served traffic before 700 ms and was restarted by the undo: both instances count.
    const agents = (result.pathCounters?.['relay-emulated'] as { agents?: Record<string, { instances: number; connectionsAccepted: number } | null> } | undefined)?.agents ?? {};
    const stopped = agents['relay-emulated.agent1'];
    expect(stopped?.instances).toBe(2);
    expect(stopped?.connectionsAccepted ?? 0).toBeGreaterThan(0);
    // Fault events are in every report.
    expect(renderConsole(result)).toContain('disable-hybrid-connection');
    expect(renderMarkdown(result)).toContain('### fault events');
    expect(renderConsole(result)).toContain('not within the step');
  });

  test('cut-connections breaks every persistent connection once (errors by kind after it) and they recover', { timeout: 60_000 }, async () => {
    const scenario = parseScenarioText(cutScenarioText, 'cut-persistent.yaml');
    const result = await runPlan(buildPlan(scenario), { scenario, scenarioFile: 'cut-persistent.yaml', signal: AbortSignal.timeout(50_000) });

    const step = result.steps[0];
    if (step === undefined || step.status !== 'completed') throw new Error(`step did not complete: ${JSON.stringify(step).slice(0, 500)}`);
    const cut = step.faultEvents?.find((e) => e.phase === 'inject');
    expect(cut?.action).toBe('cut-connections');
    expect(cut?.outcome).toBe('ok');
    const errors = cut?.effect?.errors ?? {};
    // Each of the 2 bridged connections was closed by the relay: its next read fails.
    expect(errorSum(errors)).toBeGreaterThanOrEqual(2);
    for (const kind of Object.keys(errors)) expect(['closed', 'reset']).toContain(kind);
    // The slots reconnect through a relay that still accepts.
    expect(cut?.recoveryMs).toEqual(expect.any(Number));
    expect(cut?.recoveryMs ?? -1).toBeGreaterThanOrEqual(cut?.tookMs ?? 0);
    expect(cut?.effect?.transactions ?? 0).toBeGreaterThan(0);
    // The cut is the only source of errors in this step.
    expect(errorSum(step.metrics.counters.errors) + errorSum(step.metrics.warmupCounters?.errors ?? {})).toBe(errorSum(errors));
    expect(renderMarkdown(result)).toMatch(/closed \d|reset \d/);
  });
});
