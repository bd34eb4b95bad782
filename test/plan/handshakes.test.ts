// The network profile's `handshakes` reach every planned path as the round trips its emulation
// charges a new connection: direct, TCP's; an emulated relay, TCP's and TLS's on each leg. On by
// default (TCP and TLS 1.3); an out-of-range value is refused naming file, line and key.

import { describe, expect, test } from 'vitest';
import { ScenarioError } from '../../src/errors.js';
import { buildPlan, type PlannedPath } from '../../src/plan/build-plan.js';
import { parseScenarioText } from '../../src/scenario/load.js';

const scenario = (network: string): string =>
  `name: handshakes\ntarget: { kind: tcp-request-response }\nnetwork:${network}\npaths:\n  - kind: direct\n  - kind: relay-emulated\nworkload: { kind: tcp-request-response }\n`;

function roundTrips(text: string): Record<string, number | undefined> {
  const plan = buildPlan(parseScenarioText(text, 'handshakes.yaml'));
  const of = (path: PlannedPath): number | undefined => ('handshakeRoundTrips' in path ? path.handshakeRoundTrips : undefined);
  return Object.fromEntries(plan.paths.map((path) => [path.kind, of(path)]));
}

describe('handshakes of a new connection', () => {
  test('default: the direct path pays TCP (1 round trip), the relay TCP and TLS 1.3 (2 on each leg), built-in and inline profiles alike', () => {
    expect(roundTrips(scenario(' same-region'))).toEqual({ direct: 1, 'relay-emulated': 2 });
    expect(roundTrips(scenario('\n  direct: { oneWayDelayMs: 3 }\n  appToRelay: { oneWayDelayMs: 1 }'))).toEqual({ direct: 1, 'relay-emulated': 2 });
  });

  test('handshakes: full TLS 1.2 is 3 round trips to the relay; without TCP the direct path pays none', () => {
    expect(roundTrips(scenario('\n  direct: { oneWayDelayMs: 3 }\n  handshakes: { tlsRoundTrips: 2 }'))).toEqual({ direct: 1, 'relay-emulated': 3 });
    expect(roundTrips(scenario('\n  direct: { oneWayDelayMs: 3 }\n  handshakes: { tcp: false, tlsRoundTrips: 0 }'))).toEqual({ direct: 0, 'relay-emulated': 0 });
  });

  test('a region-based network keeps its handshakes', () => {
    const network = '\n  azure: { app: West Europe, relay: North Europe }\n  site: { nearestRegion: UK South, oneWayDelayMs: 4 }\n  handshakes: { tcp: true, tlsRoundTrips: 2 }';
    const plan = buildPlan(parseScenarioText(scenario(network), 'handshakes.yaml'));
    expect(plan.network.profile.handshakes).toEqual({ tcp: true, tlsRoundTrips: 2 });
    expect(roundTrips(scenario(network))).toEqual({ direct: 1, 'relay-emulated': 3 });
  });

  test('an out-of-range or unknown key is refused with file, line and key', () => {
    const refusal = (text: string): string => {
      try {
        parseScenarioText(text, 'handshakes.yaml');
      } catch (error) {
        if (error instanceof ScenarioError) return error.message;
        throw error;
      }
      throw new Error('the scenario was accepted');
    };
    expect(refusal(scenario('\n  handshakes: { tlsRoundTrips: 9 }'))).toMatch(/handshakes\.yaml:4.*network\.handshakes\.tlsRoundTrips/);
    expect(refusal(scenario('\n  handshakes: { quic: true }'))).toMatch(/handshakes\.yaml:4.*quic/);
  });
});
