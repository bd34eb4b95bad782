// Entry (#12 section 2): what moving the app-side forwarder out of the generator's process
// changed. One embedded relay (cloud process) and one agent (onprem process); the same relay
// step (tcp-request-response, 1 connection, 5 round trips of 64 B / 512 B, zero delay) is driven
// through a forwarder in its own app-relay-client process (today's layout) and through a second
// forwarder started inside the generator's process (the old layout), alternately. The figure is
// the generator's event-loop delay p99 during the step; its CPU share and the round trip are in
// the detail.

import { parseConnectionString } from '../../src/azure/connection-string.js';
import { EMBEDDED_HYBRID_CONNECTION } from '../../src/paths/relay.js';
import { spawnRole, type RoleHandle } from '../../src/roles/role-process.js';
import type { StartAgentParams, StartForwarderResult, StartRelayResult } from '../../src/roles/role-protocol.js';
import { startForwarder, type Forwarder } from '../../src/tunnel/forwarder.js';
import type { StepMetrics } from '../../src/metrics/result.js';
import type { DialAddress, WorkloadParams } from '../../src/workloads/types.js';
import { runWorkload, startOnprem, errorCount } from '../lib/measure.js';
import type { BenchEntry, Figure } from '../lib/types.js';

const STEP: WorkloadParams = { kind: 'tcp-request-response', connections: 1, roundTripsPerTransaction: 5, requestBytes: 64, responseBytes: 512 };

function loopFigure(metrics: StepMetrics): Figure {
  const generator = metrics.generator;
  if (generator === undefined) throw new Error('the workload reported no generator health');
  const rt = metrics.histograms.roundTrip.summary;
  return {
    value: generator.eventLoopDelay.p99Us,
    detail: { loopP50Us: generator.eventLoopDelay.p50Us, cpuPercent: generator.cpuPercent, rtP50Us: rt.p50Us, rtP99Us: rt.p99Us, errors: errorCount(metrics) },
  };
}

export const forwarderProcess: BenchEntry = {
  id: 'forwarder-process',
  title: 'generator event-loop delay p99 on a relay step: forwarder in its own process vs inside the generator',
  issue: '#12',
  unit: 'µs',
  better: 'lower',
  hcbenchLabel: 'relay step, forwarder in its app-relay-client process (how hcbench runs)',
  referenceLabel: 'the same relay and agent, forwarder inside the generator process (the layout before #12)',
  requires: [],
  async setup(ctx) {
    const timing = { warmupMs: 500, durationMs: ctx.isQuick ? 1000 : 3000 };
    const onprem = await startOnprem();
    const roles: RoleHandle[] = [onprem.role];
    let inProcess: Forwarder | undefined;
    let ownProcess: DialAddress;
    try {
      const cloud = await spawnRole('cloud');
      roles.unshift(cloud);
      const relay = await cloud.call<StartRelayResult>('startRelay', { hybridConnectionName: EMBEDDED_HYBRID_CONNECTION });
      const agent: StartAgentParams = { agentId: 'bench.agent0', connectionString: relay.connectionString, target: onprem.target };
      await onprem.role.call('startAgent', agent, 60_000);
      const client = await spawnRole('app-relay-client');
      roles.unshift(client);
      ownProcess = await client.call<StartForwarderResult>('startForwarder', { forwarderId: 'bench', connectionString: relay.connectionString });
      inProcess = await startForwarder({ connection: parseConnectionString(relay.connectionString) });
    } catch (error) {
      for (const role of roles) await role.stop();
      throw error;
    }
    const sameProcess = inProcess;
    const separate = ownProcess;
    return {
      runHcbench: async () => loopFigure(await runWorkload(separate, STEP, timing, ctx.signal)),
      runReference: async () => loopFigure(await runWorkload(sameProcess.address, STEP, timing, ctx.signal)),
      close: async () => {
        await sameProcess.close().catch(() => {});
        for (const role of roles) await role.stop();
      },
    };
  },
};
