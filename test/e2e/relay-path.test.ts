// The foundation's proof: a run really traverses hyco-ws's sender and listener and the in-repo
// relay, and the numbers each component counts agree with what the workload did.

import { describe, expect, test } from 'vitest';
import { buildPlan } from '../../src/plan/build-plan.js';
import { runPlan } from '../../src/run/run-plan.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { waitGone } from '../helpers/processes.js';

const scenarioText = `name: e2e
target: { kind: tcp-request-response }
paths: [{ kind: direct }, { kind: relay-emulated }]
workload:
  kind: tcp-request-response
  connections: 3
  roundTripsPerTransaction: 4
  requestBytes: 100
  responseBytes: 300
  durationMs: 400
  warmupMs: 0
`;
// No warm-up: the first transactions are dispatched inside the measured window, so they count
// however slowly a loaded machine completes them (a 100 ms warm-up once swallowed them all: the
// first relayed round trips took longer than warm-up and window together, and nothing was measured).

describe('direct vs relay end to end', () => {
  test('the relay path crosses forwarder, relay and agent, and every counter agrees', async () => {
    const scenario = parseScenarioText(scenarioText, 'e2e.yaml');
    const plan = buildPlan(scenario);

    const result = await runPlan(plan, { scenario, scenarioFile: 'e2e.yaml', signal: AbortSignal.timeout(60_000) });

    expect(result.status).toBe('completed');
    expect(result.steps.map((s) => [s.pathKind, s.status])).toEqual([
      ['direct', 'completed'],
      ['relay-emulated', 'completed'],
    ]);
    const relayStep = result.steps[1]!;
    if (relayStep.status !== 'completed') throw new Error('relay step did not complete');
    const m = relayStep.metrics;
    const whole = {
      transactions: m.counters.transactions + (m.warmupCounters?.transactions ?? 0),
      bytesSent: m.counters.bytesSent + (m.warmupCounters?.bytesSent ?? 0),
      bytesReceived: m.counters.bytesReceived + (m.warmupCounters?.bytesReceived ?? 0),
      connectionsOpened: m.counters.connectionsOpened + (m.warmupCounters?.connectionsOpened ?? 0),
    };
    expect(m.counters.transactions).toBeGreaterThan(0);
    expect(m.counters.errors).toEqual({});
    expect(m.counters.roundTrips).toBe(m.counters.transactions * 4);
    expect(whole.bytesSent).toBe(whole.transactions * 4 * 100);
    expect(whole.bytesReceived).toBe(whole.transactions * 4 * 300);

    // relayPath names the path it describes, and is that path's entry in pathCounters.
    expect(result.relayPath?.pathId).toBeDefined();
    expect(result.pathCounters?.[result.relayPath!.pathId]?.['relay']).toEqual(result.relayPath?.relay);
    // What crossed the relay is exactly what the workload sent and received.
    const relay = result.relayPath?.relay as {
      senderToListener: { bytes: number; messages: number };
      listenerToSender: { bytes: number; messages: number };
      bridgesTotal: number;
      rendezvousCompleted: number;
    };
    expect(relay.senderToListener.bytes).toBe(whole.bytesSent);
    expect(relay.listenerToSender.bytes).toBe(whole.bytesReceived);
    expect(relay.senderToListener.messages).toBeGreaterThanOrEqual(whole.transactions * 4);
    expect(relay.bridgesTotal).toBe(whole.connectionsOpened);
    expect(relay.rendezvousCompleted).toBe(whole.connectionsOpened);

    // The agent (hyco-ws listener) opened one target connection per relayed connection, and the
    // forwarder (hyco-ws sender) accepted one per workload connection.
    const agent = result.relayPath?.agent as { targetConnectionsOpened: number; bytesFromRelay: number };
    const forwarder = result.relayPath?.forwarder as { connectionsAccepted: number; bytesToRelay: number };
    expect(agent.targetConnectionsOpened).toBe(whole.connectionsOpened);
    expect(forwarder.connectionsAccepted).toBe(whole.connectionsOpened);
    expect(forwarder.bytesToRelay).toBe(whole.bytesSent);
    expect(agent.bytesFromRelay).toBe(whole.bytesSent);

    // Latency invariants on both paths; the overhead table pairs them.
    for (const step of result.steps) {
      if (step.status === 'failed') throw new Error(step.error.message);
      const h = step.metrics.histograms.roundTrip.summary;
      expect(h.p50Us).toBeGreaterThan(0);
      expect(h.p50Us).toBeLessThanOrEqual(h.p99Us);
      expect(h.p99Us).toBeLessThanOrEqual(h.maxUs);
    }
    expect(result.overhead['tcp-request-response@relay-emulated']?.map((r) => r.metric)).toContain('roundTrip.p50');

    // The forwarder runs in its own process (the app-side relay client), not in the generator's:
    // every role has its own pid, and the counts above came from that process.
    const pids = result.environment.rolePids;
    const clientPid = pids['relay-emulated.app-relay-client'];
    expect(clientPid).toBeGreaterThan(0);
    expect(new Set([pids['app'], pids['onprem'], pids['relay-emulated.cloud'], clientPid]).size).toBe(4);
    expect(pids['app']).toBe(process.pid);
    expect(result.environment.roles['relay-emulated.forwarder']).toBe(`app-relay-client (pid ${clientPid})`);

    // No role process outlives the run.
    for (const [role, pid] of Object.entries(result.environment.rolePids)) {
      if (role === 'app') continue;
      expect(await waitGone(pid, 5_000), `${role} process ${pid} still running`).toBe(true);
    }
  }, 90_000);
});
