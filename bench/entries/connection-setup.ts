// Entry 5 (#3): connection setup. hcbench's connection-churn driver (connect, one 64 B exchange,
// close; one at a time) on the relay path — where the local connect completes at once and the
// rendezvous shows up at the first response byte — against the same driver on a direct TCP
// connection to the same target. Figure: connect + first response byte, p50 µs (lower is better).

import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { StepMetrics } from '../../src/metrics/result.js';
import { errorCount, runWorkload, startOnprem } from '../lib/measure.js';
import type { BenchEntry, Figure } from '../lib/types.js';
import { ZERO_LEG } from './relay-ping-pong.js';

function setupFigure(metrics: StepMetrics): Figure {
  const firstByte = metrics.histograms.firstByte?.summary;
  const connect = metrics.histograms.connect.summary;
  if (firstByte === undefined || firstByte.count === 0) throw new Error('connection-churn recorded no first-byte times');
  return {
    value: firstByte.p50Us,
    detail: {
      p50Us: firstByte.p50Us,
      p99Us: firstByte.p99Us,
      connectP50Us: connect.p50Us,
      connectP99Us: connect.p99Us,
      connections: metrics.counters.connectionsOpened,
      errors: errorCount(metrics),
    },
  };
}

export const connectionSetup: BenchEntry = {
  id: 'connection-setup',
  title: 'connection setup: connect + first 64 B response, relayed (rendezvous) vs direct TCP, p50',
  issue: '#3',
  unit: 'µs',
  better: 'lower',
  hcbenchLabel: 'connection-churn, 1 at a time, relay-emulated path (zero delay): local connect + rendezvous + first round trip',
  referenceLabel: 'same driver, direct TCP connect + first round trip to the same target',
  requires: [],
  async setup(ctx) {
    const timing = { warmupMs: 300, durationMs: ctx.isQuick ? 1000 : 2500 };
    const onprem = await startOnprem();
    let relay;
    try {
      relay = await openEmulatedRelayPath({ id: 'relay', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 1 });
    } catch (error) {
      await onprem.role.stop();
      throw error;
    }
    const relayPath = relay;
    const params = { kind: 'connection-churn' as const, connections: 1 };
    return {
      runHcbench: async () => setupFigure(await runWorkload(relayPath.dialAddress, params, timing, ctx.signal)),
      runReference: async () => setupFigure(await runWorkload(onprem.target, params, timing, ctx.signal)),
      close: async () => {
        await relayPath.close();
        await onprem.role.stop();
      },
    };
  },
};
