// The what-if's setup data: the measured setup of each path and the round trips of each leg it
// holds, which the page moves with the distances picked. From a real run's result (decision
// fixture: pooled connections, so TCP connect + relay rendezvous), with and without the
// `handshakeRoundTrips` a path records.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { analyzeRun } from '../../src/analysis/analyze-run.js';
import { configuredRtts } from '../../src/analysis/configured-delays.js';
import { computeVerdicts } from '../../src/analysis/verdict.js';
import type { RunResult } from '../../src/metrics/result.js';
import { whatIfData } from '../../src/report/whatif-data.js';

const load = (): RunResult => JSON.parse(readFileSync(new URL('../fixtures/results/decision-run.json', import.meta.url), 'utf8')) as RunResult;

function data(result: RunResult) {
  const analysis = analyzeRun(result);
  const verdict = computeVerdicts(result, analysis)[0]!;
  return whatIfData(result, analysis, verdict);
}

describe('what-if setup data', () => {
  test('a result from before handshakes were emulated: the rendezvous holds one round trip of each relay leg, a direct connect none', () => {
    const paths = data(load()).paths;
    const direct = paths.find((p) => p.kind === 'direct')!;
    const relays = paths.filter((p) => p.kind === 'relay-emulated');
    expect(direct.setupSource).toBe('TCP connect, p50');
    expect(direct.setupRtts).toEqual({ direct: 0, appToRelay: 0, relayToAgent: 0 });
    expect(relays.length).toBeGreaterThan(0);
    for (const relay of relays) {
      expect(relay.setupSource).toBe('TCP connect + relay rendezvous, p50');
      expect(relay.setupRtts).toEqual({ direct: 0, appToRelay: 1, relayToAgent: 1 });
    }
  });

  test('with handshakes recorded: the direct connect gets its held TCP round trip added from the configured leg; the rendezvous holds n + 1 of each leg', () => {
    const before = data(load()).paths;
    const result = load();
    for (const p of result.topology!.paths as { kind: string; handshakeRoundTrips?: number }[]) p.handshakeRoundTrips = p.kind === 'direct' ? 1 : 2;
    const paths = data(result).paths;
    const direct = paths.find((p) => p.kind === 'direct')!;
    const directBefore = before.find((p) => p.kind === 'direct')!;
    expect(direct.setupSource).toBe('TCP connect, p50, + its emulated TCP round trip (configured)');
    expect(direct.setupUs).toBeCloseTo(directBefore.setupUs! + configuredRtts(result, direct.pathId).directRttMs * 1000, 6);
    expect(direct.setupRtts).toEqual({ direct: 1, appToRelay: 0, relayToAgent: 0 });
    for (const relay of paths.filter((p) => p.kind === 'relay-emulated')) {
      expect(relay.setupUs).toBe(before.find((p) => p.pathId === relay.pathId)!.setupUs);
      expect(relay.setupRtts).toEqual({ direct: 0, appToRelay: 3, relayToAgent: 3 });
    }
  });
});
