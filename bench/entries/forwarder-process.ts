// Entry (#12 section 2): what moving the app-side forwarder out of the generator's process
// changed. One embedded relay (cloud process) and one agent (onprem process); the same relay
// step (tcp-request-response, 1 connection, 5 round trips of 64 B / 512 B, zero delay) is driven
// through a forwarder in its own app-relay-client process (today's layout) and through a second
// forwarder started inside the generator's process (the old layout), alternately. The figure is
// the generator's CPU time per round trip (what the forwarder in its process no longer costs the
// generator); the event-loop delay, CPU share and round trip are in the detail. The loop delay p99
// was the figure before: a tail of one 3 s window, its per-round ratio spread 63–137 % on a quiet
// machine, while the CPU figures of the same rounds moved by a few percent.

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

function cpuFigure(metrics: StepMetrics): Figure {
  const generator = metrics.generator;
  if (generator === undefined) throw new Error('the workload reported no generator health');
  if (!(metrics.roundTripsPerSec > 0)) throw new Error('the relay step completed no round trip');
  const rt = metrics.histograms.roundTrip.summary;
  const cpuUsPerRoundTrip = (generator.cpuPercent / 100) * (1e6 / metrics.roundTripsPerSec);
  return {
    value: Math.round(cpuUsPerRoundTrip * 10) / 10,
    detail: { cpuPercent: generator.cpuPercent, roundTripsPerSec: Math.round(metrics.roundTripsPerSec), loopP50Us: generator.eventLoopDelay.p50Us, loopP99Us: generator.eventLoopDelay.p99Us, rtP50Us: rt.p50Us, rtP99Us: rt.p99Us, errors: errorCount(metrics) },
  };
}

export const forwarderProcess: BenchEntry = {
  id: 'forwarder-process',
  title: 'generator CPU µs per round trip on a relay step: forwarder in its own process vs inside the generator',
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
      runHcbench: async () => cpuFigure(await runWorkload(separate, STEP, timing, ctx.signal)),
      runReference: async () => cpuFigure(await runWorkload(sameProcess.address, STEP, timing, ctx.signal)),
      close: async () => {
        await sameProcess.close().catch(() => {});
        for (const role of roles) await role.stop();
      },
    };
  },
};
