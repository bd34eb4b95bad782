// Entry (#15): bulk transfer through the relay path at zero delay — a 64 B request answered by
// 2 MiB (document-service's response), one connection, closed loop — against the same driver
// through 3 plain TCP proxy hops. relay-ping-pong times wake-ups; this times bytes: WebSocket
// framing, masking and copies in the forwarder, emulator and agent. The figure that exposed
// JavaScript frame masking in hyco-ws's ws 1.1.5 (src/net/frame-masking.ts); the notes say which
// masking ran, so a lost bufferutil shows up here.

import type { StepMetrics } from '../../src/metrics/result.js';
import { hycoWsFrameMasking } from '../../src/net/frame-masking.js';
import type { WorkloadParams } from '../../src/workloads/types.js';
import { errorCount, runWorkload } from '../lib/measure.js';
import type { BenchEntry, Figure } from '../lib/types.js';
import { RELAY_HOPS, startRelayAndChain } from './relay-ping-pong.js';

/** The response of one transaction: document-service's rendered PDF. */
const BULK_RESPONSE_BYTES = 2 * 1024 * 1024;

const bulkParams = (): WorkloadParams => ({ kind: 'tcp-request-response', connections: 1, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: BULK_RESPONSE_BYTES });

/** Response MB/s (10^6 bytes: completed transactions per second × response size), transfer p50/p99 µs, errors. */
function bulkFigure(metrics: StepMetrics): Figure {
  const h = metrics.histograms.roundTrip.summary;
  return { value: (metrics.transactionsPerSec * BULK_RESPONSE_BYTES) / 1e6, detail: { p50Us: h.p50Us, p99Us: h.p99Us, transactions: metrics.counters.transactions, errors: errorCount(metrics) } };
}

export const relayBulk: BenchEntry = {
  id: 'relay-bulk',
  title: 'relay path (forwarder + emulator + agent, zero delay), 1 connection, 64 B request → 2 MiB response vs 3 plain TCP proxy hops',
  issue: '#15',
  unit: 'MB/s',
  better: 'higher',
  hcbenchLabel: 'tcp-request-response, 1 conn, 64 B → 2 MiB, relay-emulated path (hyco-ws forwarder in app-relay-client, relay in cloud, agent in onprem)',
  referenceLabel: 'same driver through 3 TCP proxy hops (haproxy tcp mode; socat or Node pipe where absent), one process each',
  requires: [],
  async setup(ctx) {
    const windowMs = ctx.isQuick ? 1000 : 3000;
    const { relayPath, proxyChain, close } = await startRelayAndChain(ctx);
    const timing = { warmupMs: 500, durationMs: windowMs };
    const masking = `hyco-ws frame masking: ${hycoWsFrameMasking()}`;
    return {
      runHcbench: async () => ({ ...bulkFigure(await runWorkload(relayPath.dialAddress, bulkParams(), timing, ctx.signal)), notes: [masking] }),
      runReference: async () => ({ ...bulkFigure(await runWorkload(proxyChain.dialAddress, bulkParams(), timing, ctx.signal)), notes: [`${RELAY_HOPS} × ${proxyChain.kind}`] }),
      close,
    };
  },
};
