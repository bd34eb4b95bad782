// A relay-azure path with `rehearsal:` runs the whole real-Azure code path (sb:// connection strings
// parsed, tokens signed for the namespace host, wss to <ns>:443 by name through a resolve override,
// TLS checked against that name, the agent's listen backoff and quota handling) against the
// emulator in a cloud process, and the result says REHEARSAL in its topology, roles and every
// report. Real processes and sockets, 127.0.0.1 only.

import { describe, expect, test } from 'vitest';
import { buildPlan } from '../../src/plan/build-plan.js';
import { REPORT_FORMATS, renderReport } from '../../src/report/index.js';
import { runPlan } from '../../src/run/run-plan.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { startHcbench } from '../helpers/hcbench-process.js';

const NS = 'contoso-hc.servicebus.windows.net';
const scenarioText = (stack: string) => `name: relay-azure-rehearsal
target: { kind: tcp-request-response }
paths: [{ kind: relay-azure, rehearsal: ${NS}, clientStack: ${stack} }]
workload:
  kind: tcp-request-response
  connections: 2
  requestBytes: 64
  responseBytes: 128
  durationMs: 600
  warmupMs: 100
`;

describe('relay-azure rehearsal', () => {
  test.each(['hyco-ws', 'ws8'])('%s: runs by name against the emulator and every report says rehearsal', async (stack) => {
    const scenario = parseScenarioText(scenarioText(stack), 'rehearsal.yaml');
    const plan = buildPlan(scenario);
    // No connection string in the environment: a rehearsal makes its own.
    const result = await runPlan(plan, { scenario, scenarioFile: 'rehearsal.yaml', secrets: {}, signal: AbortSignal.timeout(60_000) });

    expect(result.status).toBe('completed');
    const step = result.steps[0];
    if (step?.status !== 'completed') throw new Error(`step did not complete: ${JSON.stringify(step)}`);
    expect(step.pathKind).toBe('relay-azure');
    const m = step.metrics;
    expect(m.counters.transactions).toBeGreaterThan(0);
    expect(m.counters.errors).toEqual({});
    // The emulator itself bridged every connection the run opened, and carried every byte sent.
    const relay = (result.pathCounters?.['relay-azure'] as { relay?: { bridgesTotal: number; senderToListener: { bytes: number }; listenersTotal: number } }).relay;
    expect(relay?.bridgesTotal).toBe(m.counters.connectionsOpened + (m.warmupCounters?.connectionsOpened ?? 0));
    expect(relay?.senderToListener.bytes).toBe(m.counters.bytesSent + (m.warmupCounters?.bytesSent ?? 0));
    expect(relay?.listenersTotal).toBe(1);

    expect(result.topology?.paths).toEqual([expect.objectContaining({ kind: 'relay-azure', rehearsal: NS })]);
    expect(result.environment.roles['relay-azure.relay']).toMatch(new RegExp(`^REHEARSAL: .* ${NS.replace(/\./g, '\\.')} .*not Azure$`));
    expect(result.environment.roles['relay-azure.resolve']).toMatch(new RegExp(`^${NS.replace(/\./g, '\\.')}:443:127\\.0\\.0\\.1:\\d+ `));
    expect(result.emulation?.['relay-azure']).toMatchObject({ measured: false, reason: expect.stringContaining('rehearsal') });
    for (const format of REPORT_FORMATS) {
      const text = renderReport(format, result);
      expect(text, format).toContain(format === 'json' ? `"rehearsal": "${NS}"` : format === 'csv' ? ',relay-azure-rehearsal,' : 'REHEARSAL, not Azure');
      expect(text, format).not.toContain('measured through a real Azure Relay namespace');
      expect(text, format).not.toMatch(/SharedAccessKey=|sig=/);
    }
  }, 60_000);

  test('a plain relay-azure path with resolve: reaches a standalone `hcbench relay --as` by name; the mapping is in the result', async () => {
    const relay = startHcbench(['relay', '--tls', '--as', NS, '--hc', 'hcbench', '--json']);
    const banner = await relay.firstJson<{ caCertPath: string; rehearsal: { resolve: string }; connectionStrings: Record<string, { manage: string }> }>();
    const text = `name: relay-azure-resolve
target: { kind: tcp-request-response }
paths: [{ kind: relay-azure, resolve: ["${banner.rehearsal.resolve}"] }]
workload: { kind: tcp-request-response, connections: 1, requestBytes: 64, responseBytes: 64, durationMs: 400, warmupMs: 0 }
`;
    const scenario = parseScenarioText(text, 'resolve.yaml');
    // Role processes inherit the environment: this is how a user trusts the printed CA.
    const saved = process.env['NODE_EXTRA_CA_CERTS'];
    process.env['NODE_EXTRA_CA_CERTS'] = banner.caCertPath;
    let result;
    try {
      result = await runPlan(buildPlan(scenario), {
        scenario,
        scenarioFile: 'resolve.yaml',
        secrets: { HCBENCH_CONNECTION_STRING: banner.connectionStrings['hcbench']?.manage ?? '' },
        signal: AbortSignal.timeout(60_000),
      });
    } finally {
      if (saved === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
      else process.env['NODE_EXTRA_CA_CERTS'] = saved;
      await relay.interrupt();
    }
    expect(result.status).toBe('completed');
    const step = result.steps[0];
    expect(step?.status === 'completed' ? step.metrics.counters.transactions : 0).toBeGreaterThan(0);
    expect(result.environment.roles['relay-azure.relay']).toBe(`Azure Relay (${NS})`);
    expect(result.environment.roles['relay-azure.resolve']).toBe(`${banner.rehearsal.resolve} (name mapping: not Azure's DNS)`);
    expect(result.topology?.paths).toEqual([expect.objectContaining({ resolve: [banner.rehearsal.resolve] })]);
    for (const format of REPORT_FORMATS) {
      const report = renderReport(format, result);
      expect(report, format).toContain(format === 'json' ? '"resolve"' : format === 'csv' ? ',relay-azure-mapped,' : 'NAME-MAPPED, not verified as Azure');
      expect(report, format).not.toContain('measured through a real Azure Relay namespace');
    }
  }, 60_000);
});
