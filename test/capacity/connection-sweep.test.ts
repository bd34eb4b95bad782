// Connection sweep on both paths of the embedded relay: one closed-model probe per count and path,
// errors by class, peak connections, and the limits a count exceeds (limits given as inputs).

import { expect, test } from 'vitest';
import { sweepConnections } from '../../src/capacity/connection-sweep.js';
import { capacityWorkload } from '../../src/capacity/search.js';
import { parseScenarioText } from '../../src/scenario/load.js';

test(
  'sweeps each count on each path; relay counts above the namespace limit are flagged, direct ones never',
  async () => {
    const scenario = parseScenarioText(
      'name: sweep\ntarget: { kind: tcp-request-response }\npaths: [ { kind: direct }, { kind: relay-emulated } ]\nworkload: { id: rr, kind: tcp-request-response, connections: 1 }\n',
      'sweep.yaml',
    );

    const points = await sweepConnections({
      scenario,
      scenarioFile: 'sweep.yaml',
      workload: capacityWorkload(scenario),
      connectionCounts: [1, 4],
      durationMs: 300,
      warmupMs: 100,
      signal: AbortSignal.timeout(120_000),
      limits: { listenersPerHybridConnection: 25, connectionsPerNamespace: 2, hybridConnectionsPerPlan: 25 },
    });

    expect(points.map((p) => `${p.pathId}:${p.connections}`).sort()).toEqual(['direct:1', 'direct:4', 'relay-emulated:1', 'relay-emulated:4']);
    for (const p of points) {
      expect(p.failure).toBeUndefined();
      expect(p.achievedPerSec).toBeGreaterThan(0);
      expect(p.errors).toEqual({});
      expect(p.connectionsPeak).toBeLessThanOrEqual(p.connections);
      expect(p.p50Us).toBeLessThanOrEqual(p.p99Us);
    }
    const flagged = points.filter((p) => p.limitsExceeded.length > 0).map((p) => `${p.pathId}:${p.connections}`);
    expect(flagged).toEqual(['relay-emulated:4']);
  },
  180_000,
);
