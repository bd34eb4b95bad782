// The relay-azure path against a real relay: `hcbench relay` runs as its own process and its
// connection string is handed to the path exactly as an Azure namespace's would be (through the
// environment variable the path names). The relay's own counters must match what the run did.
// Also: agent, tunnel and run read one variable, HCBENCH_CONNECTION_STRING; the old run name
// HCBENCH_RELAY_CONNECTION_STRING still works with a deprecation note on stderr.

import { describe, expect, test } from 'vitest';
import { buildPlan } from '../../src/plan/build-plan.js';
import { runPlan } from '../../src/run/run-plan.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { startHcbench, startRelayProcess } from '../helpers/hcbench-process.js';
import { roundTripPayload } from '../helpers/tunnel-targets.js';

const scenarioText = `name: relay-azure-e2e
target: { kind: tcp-request-response }
paths: [{ kind: relay-azure }]
workload:
  kind: tcp-request-response
  connections: 2
  requestBytes: 64
  responseBytes: 128
  durationMs: 600
  warmupMs: 100
`;

describe('relay-azure path', () => {
  test('runs through a separate `hcbench relay` process; the relay bridged every connection the run opened', async () => {
    const { relay, connectionString, url } = await startRelayProcess();
    const scenario = parseScenarioText(scenarioText, 'relay-azure.yaml');
    const plan = buildPlan(scenario);

    const result = await runPlan(plan, { scenario, scenarioFile: 'relay-azure.yaml', secrets: { HCBENCH_CONNECTION_STRING: connectionString }, signal: AbortSignal.timeout(60_000) });
    const stats = (await (await fetch(`${url.replace(/^ws/, 'http')}/$stats`)).json()) as { bridgesTotal: number; senderToListener: { bytes: number }; listenersTotal: number };
    await relay.interrupt();

    expect(result.status).toBe('completed');
    const step = result.steps[0];
    if (step?.status !== 'completed') throw new Error(`step did not complete: ${JSON.stringify(step)}`);
    const m = step.metrics;
    expect(step.pathKind).toBe('relay-azure');
    expect(m.counters.transactions).toBeGreaterThan(0);
    expect(m.counters.errors).toEqual({});
    const opened = m.counters.connectionsOpened + (m.warmupCounters?.connectionsOpened ?? 0);
    const sent = m.counters.bytesSent + (m.warmupCounters?.bytesSent ?? 0);
    expect(stats.bridgesTotal).toBe(opened);
    expect(stats.senderToListener.bytes).toBe(sent);
    expect(stats.listenersTotal).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(result)).not.toContain(/SharedAccessKey=([^;]+)/.exec(connectionString)?.[1] ?? 'no key');
  });

  test('agent and tunnel read HCBENCH_CONNECTION_STRING, and the old HCBENCH_RELAY_CONNECTION_STRING with a deprecation note', async () => {
    const { connectionString } = await startRelayProcess();
    const { startEchoServer } = await import('../helpers/tunnel-targets.js');
    const target = await startEchoServer();
    const agent = startHcbench(['agent', '--target', `127.0.0.1:${target.address.port}`, '--json'], { HCBENCH_CONNECTION_STRING: connectionString });
    await agent.firstJson();
    const tunnel = startHcbench(['tunnel', '--json'], { HCBENCH_CONNECTION_STRING: '', HCBENCH_RELAY_CONNECTION_STRING: connectionString });
    const { port } = await tunnel.firstJson<{ port: number }>();

    const echoed = await roundTripPayload(port, Buffer.from('one variable'));
    expect(await tunnel.interrupt()).toBe(0);
    expect(await agent.interrupt()).toBe(0);

    expect(echoed.data.toString()).toBe('one variable');
    expect(tunnel.stderr()).toContain('HCBENCH_RELAY_CONNECTION_STRING is deprecated: set HCBENCH_CONNECTION_STRING instead');
    expect(agent.stderr()).not.toContain('deprecated');
  });
});
