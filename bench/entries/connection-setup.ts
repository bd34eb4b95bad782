// Entry 5 (#3, #15): connection setup. hcbench's connection-churn driver (connect, one 64 B
// exchange, close; one at a time) on the relay path — where the local connect completes at once and
// the rendezvous shows up at the first response byte — against one plain ws 8 handshake + first
// echoed 64 B message to a ws 8 server on 127.0.0.1 (as many samples as the relay side took, same
// run, interleaved). Direct TCP to the target is kept as detail. The relay side's detail also has
// the setup in steps (metrics/setup-steps.ts) for the connections of that round.
// Figure: connect + first response byte, p50 µs (lower is better).

import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { OpenPath } from '../../src/paths/types.js';
import type { StepMetrics } from '../../src/metrics/result.js';
import { sharedNowUs } from '../../src/net/shared-clock.js';
import { SETUP_STEP_KEYS, readForwarderStamps } from '../../src/metrics/setup-steps.js';
import { setupBreakdownOf } from '../../src/report/setup-breakdown.js';
import { spawnBenchChild } from '../lib/children.js';
import { errorCount, runWorkload, startOnprem } from '../lib/measure.js';
import { runWsHandshakes } from '../lib/ws-handshake.js';
import type { BenchEntry, Figure } from '../lib/types.js';
import { ZERO_LEG } from './relay-ping-pong.js';

/** First response byte on a new connection (connect + first round trip), p50 µs; p99, connect and counts in the detail. */
export function setupFigure(metrics: StepMetrics): Figure {
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

/** p50 µs of each setup step over the connections accepted since `sinceUs` (detail keys `step<Name>P50Us`). */
export async function stepDetail(path: OpenPath, sinceUs: number): Promise<Record<string, number>> {
  const counters = await path.readCounters?.();
  if (counters === undefined) return {};
  const forwarder = readForwarderStamps((counters['forwarder'] as { setupStamps?: unknown } | undefined)?.setupStamps).filter((s) => s.acceptedUs >= sinceUs);
  const breakdown = setupBreakdownOf({ ...counters, forwarder: { setupStamps: forwarder } });
  if (breakdown === undefined) return {};
  const detail: Record<string, number> = { stepsJoined: breakdown.joined };
  for (const key of SETUP_STEP_KEYS) {
    const name = key === 'totalUs' ? 'Total' : `${key[0]?.toUpperCase() ?? ''}${key.slice(1)}`;
    detail[`step${name}P50Us`] = breakdown.steps[key].p50Us;
  }
  return detail;
}

export const connectionSetup: BenchEntry = {
  id: 'connection-setup',
  title: 'connection setup: connect + first 64 B response, relayed (rendezvous) vs one plain ws 8 handshake + first message, p50',
  issue: '#15',
  unit: 'µs',
  better: 'lower',
  hcbenchLabel: 'connection-churn, 1 at a time, relay-emulated path (zero delay): local connect + rendezvous + first round trip',
  referenceLabel: 'ws 8 client: handshake to a ws 8 echo server on 127.0.0.1 + first 64 B message echoed, same sample count (direct TCP churn as detail)',
  requires: [],
  async setup(ctx) {
    const timing = { warmupMs: 300, durationMs: ctx.isQuick ? 1000 : 2500 };
    const directTiming = { warmupMs: 100, durationMs: ctx.isQuick ? 300 : 800 };
    const onprem = await startOnprem();
    let relay;
    let wsEcho;
    try {
      wsEcho = await spawnBenchChild('ws-echo');
      relay = await openEmulatedRelayPath({ id: 'relay', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 1 });
    } catch (error) {
      await wsEcho?.close();
      await onprem.role.stop();
      throw error;
    }
    const relayPath = relay;
    const echo = wsEcho;
    const params = { kind: 'connection-churn' as const, connections: 1 };
    let lastSamples = 0;
    return {
      runHcbench: async () => {
        const sinceUs = sharedNowUs();
        const figure = setupFigure(await runWorkload(relayPath.dialAddress, params, timing, ctx.signal));
        lastSamples = figure.detail?.['connections'] ?? 0;
        return { ...figure, detail: { ...figure.detail, ...(await stepDetail(relayPath, sinceUs)) } };
      },
      runReference: async () => {
        const samples = Math.max(100, lastSamples);
        const ws8 = await runWsHandshakes({ url: `ws://127.0.0.1:${echo.port}/`, samples, warmupSamples: 50, deadlineMs: 4 * (timing.warmupMs + timing.durationMs), signal: ctx.signal });
        const direct = setupFigure(await runWorkload(onprem.target, params, directTiming, ctx.signal));
        return { ...ws8, detail: { ...ws8.detail, directTcpP50Us: direct.value, directTcpP99Us: direct.detail?.['p99Us'] ?? 0 } };
      },
      close: async () => {
        await relayPath.close();
        await echo.close();
        await onprem.role.stop();
      },
    };
  },
};
