// Limit warnings before a run and relay usage (listener-hours, GB, cost at given prices).

import { describe, expect, test } from 'vitest';
import { estimateRelayUsage } from '../../src/capacity/cost.js';
import { checkRelayLimits } from '../../src/capacity/limit-warnings.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { loadSweepFixture } from '../report/fixture.js';

const scenario = (paths: string, connections: number) =>
  parseScenarioText(`name: l\ntarget: { kind: tcp-request-response }\npaths: ${paths}\nworkload: { kind: tcp-request-response, connections: ${connections} }\n`, 'l.yaml');

describe('checkRelayLimits', () => {
  test('a scenario inside the limits gets no warning', () => {
    expect(checkRelayLimits(scenario('[ { kind: direct }, { kind: relay-emulated, agents: 25 } ]', 100))).toEqual([]);
  });

  test('more connections than a namespace allows is warned about before the run', () => {
    const warnings = checkRelayLimits(scenario('[ { kind: relay-emulated } ]', 6_000));

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('6000 concurrent relayed connections, more than the 5000');
  });

  test('limits are inputs: a Basic plan (5 hybrid connections) and a smaller listener quota', () => {
    const paths = `[ ${Array.from({ length: 6 }, (_, i) => `{ kind: relay-emulated, id: r${i}, agents: 3 }`).join(', ')} ]`;

    const warnings = checkRelayLimits(scenario(paths, 1), { listenersPerHybridConnection: 2, connectionsPerNamespace: 5_000, hybridConnectionsPerPlan: 5 });

    expect(warnings.filter((w) => w.includes('3 listeners on one hybrid connection'))).toHaveLength(6);
    expect(warnings.some((w) => w.includes('6 hybrid connections, more than the 5'))).toBe(true);
  });

  test('direct-only scenarios are never warned about', () => {
    expect(checkRelayLimits(scenario('[ { kind: direct } ]', 9_000))).toEqual([]);
  });
});

describe('estimateRelayUsage', () => {
  test('counts relay steps only: agents × time and bytes both ways; cost only with both prices', () => {
    const result = loadSweepFixture();
    let ms = 0;
    let bytes = 0;
    for (const s of result.steps) {
      if (s.pathKind === 'direct' || s.status === 'failed') continue;
      ms += s.metrics.durationMs + s.metrics.warmupMs;
      for (const c of [s.metrics.counters, s.metrics.warmupCounters]) bytes += (c?.bytesSent ?? 0) + (c?.bytesReceived ?? 0);
    }

    const free = estimateRelayUsage(result);
    const priced = estimateRelayUsage(result, { perListenerHour: 2, perGb: 10 });

    expect(free.listenerHours).toBeCloseTo(ms / 3_600_000, 12);
    expect(free.gigabytes).toBeCloseTo(bytes / 1e9, 15);
    expect(free.cost).toBeNull();
    expect(free.summary).toContain('no prices given');
    expect(priced.cost).toBeCloseTo(free.listenerHours * 2 + free.gigabytes * 10, 12);
  });
});
