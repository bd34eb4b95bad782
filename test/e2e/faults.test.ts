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
      - { atMs: 1000, action: disconnect-listeners }
      - { atMs: 1300, action: cut-connections }
      - { atMs: 1600, action: expire-tokens }
      - { atMs: 2000, action: refuse-accepts }
      - { atMs: 2400, action: disable-hybrid-connection }
workload:
  kind: connection-churn
  connections: 2
  load: { model: open, ratePerSec: 40, whenBehind: drop }
durationMs: 2800
warmupMs: 200
`;

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
      expect(event.firedAtMs).toBeGreaterThanOrEqual(event.atMs);
    }
    // refuse-accepts and disable-hybrid-connection hold until the step ends: churned connections fail, counted by kind.
    const counters = step.metrics.counters;
    const errorCount = Object.values(counters.errors).reduce((sum, n) => sum + n, 0);
    expect(errorCount).toBeGreaterThan(0);
    expect(counters.transactions).toBeGreaterThan(0);
    // The stopped agent served traffic before 700 ms and was restarted by the undo: both instances count.
    const agents = (result.pathCounters?.['relay-emulated'] as { agents?: Record<string, { instances: number; connectionsAccepted: number } | null> } | undefined)?.agents ?? {};
    const stopped = agents['relay-emulated.agent1'];
    expect(stopped?.instances).toBe(2);
    expect(stopped?.connectionsAccepted ?? 0).toBeGreaterThan(0);
    // Fault events are in every report.
    expect(renderConsole(result)).toContain('disable-hybrid-connection');
    expect(renderMarkdown(result)).toContain('### fault events');
  });
});
