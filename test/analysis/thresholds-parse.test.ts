// Threshold expressions: what parses, into which unit, and the message a bad one gets.

import { describe, expect, test } from 'vitest';
import { holds, parseThreshold } from '../../src/analysis/threshold-expression.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/errors.js';

describe('parseThreshold', () => {
  test.each([
    ['relay.transaction.p99 < 25ms', 'relay', 25_000, '<'],
    ['overhead.roundTrip.p50 < 2ms', 'overhead', 2_000, '<'],
    ['direct.connect.p99.9 <= 1.5s', 'direct', 1_500_000, '<='],
    ['relay-emulated.roundTrip.max < 800us', 'relay-emulated', 800, '<'],
    ['relay.errorRate < 0.1%', 'relay', 0.001, '<'],
    ['relay.droppedRate == 0', 'relay', 0, '=='],
    ['relay.transactionsPerSec >= 500/s', 'relay', 500, '>='],
    ['overhead.roundTrip.p50.ratio < 3', 'overhead', 3, '<'],
    ['relay.errors != 1', 'relay', 1, '!='],
  ])('parses %s', (text, scope, limit, operator) => {
    const parsed = parseThreshold(text);

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.expression.scope).toBe(scope);
    expect(parsed.expression.limit).toBeCloseTo(limit, 9);
    expect(parsed.expression.operator).toBe(operator);
  });

  test.each([
    ['relay.transaction.p99 < 25', 'needs a time unit'],
    ['relay.transaction < 25ms', 'needs a statistic'],
    ['relay.transaction.p42 < 25ms', 'is not a statistic'],
    ['relay.latency.p99 < 25ms', 'is not a metric'],
    ['relay.errorRate < 5', 'fraction from 0 to 1'],
    ['overhead.errorRate < 0.1%', '`overhead` compares latencies'],
    ['relay.transaction.p99 ~ 25ms', 'is not a threshold expression'],
  ])('rejects %s with a message', (text, message) => {
    const parsed = parseThreshold(text);

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toContain(message);
  });

  test('holds applies each operator', () => {
    expect([holds(1, '<', 2), holds(2, '<', 2), holds(2, '<=', 2), holds(3, '>', 2), holds(2, '>=', 2), holds(2, '==', 2), holds(1, '!=', 2)]).toEqual([
      true, false, true, true, true, true, true,
    ]);
  });
});

const base = `name: t
target: { kind: tcp-request-response }
paths: [ { kind: direct }, { kind: relay-emulated, id: hc } ]
workload: { id: smoke, kind: tcp-request-response }
`;

function issuesOf(text: string): { path: string; message: string; line?: number }[] {
  try {
    parseScenarioText(text, 's.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('scenario thresholds', () => {
  test('accepts strings and the object form with a step and a window', () => {
    const scenario = parseScenarioText(`${base}thresholds:\n  - hc.transaction.p99 < 25ms\n  - { expr: relay.roundTrip.p99 < 10ms, step: smoke, windowMs: 1000 }\n`, 's.yaml');

    expect(scenario.thresholds).toHaveLength(2);
  });

  test.each([
    ['  - relay.transaction.p99 < 25\n', 'thresholds[0]', 'needs a time unit'],
    ['  - nowhere.transaction.p99 < 25ms\n', 'thresholds[0]', 'names no path'],
    ['  - { expr: relay.roundTrip.p99 < 1ms, step: other }\n', 'thresholds[0].step', 'names no workload'],
    ['  - { expr: relay.transaction.p99 < 1ms, windowMs: 1000 }\n', 'thresholds[0].windowMs', 'applies to `roundTrip`'],
    ['  - overhead.roundTrip.mean < 1ms\n', 'thresholds[0]', 'not min or mean'],
  ])('rejects %s at its path and line', (line, path, message) => {
    const issues = issuesOf(`${base}thresholds:\n${line}`);

    expect(issues.map((i) => i.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(message);
    expect(issues[0]?.line).toBe(6);
  });
});
