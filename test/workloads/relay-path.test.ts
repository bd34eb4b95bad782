// Every driver through the relay path (forwarder -> relay emulator -> agent, hyco-ws unmodified),
// asserting the same invariants as on the direct path: the driver code is identical, only the
// dial address differs.

import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { startHttpTarget } from '../../src/targets/http-server.js';
import { workloads } from '../../src/workloads/index.js';
import { systemClock, type WorkloadParams } from '../../src/workloads/types.js';
import type { StepMetrics } from '../../src/metrics/result.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { hasRedisServer, REDIS_SKIP_REASON, startRedisServer } from '../helpers/target-redis.js';

async function relayTo(target: { host: string; port: number }) {
  const tunnel = await startTunnelRelay();
  await tunnel.agent(target);
  const forwarder = await tunnel.forwarder();
  return forwarder.address;
}

function run(params: WorkloadParams, dialAddress: { host: string; port: number }, durationMs = 500) {
  return workloads[params.kind].run({ dialAddress, params, warmupMs: 100, durationMs, signal: AbortSignal.timeout(30_000), clock: systemClock });
}

const sum = (m: StepMetrics, key: 'bytesSent' | 'bytesReceived' | 'transactions' | 'connectionsOpened'): number =>
  m.counters[key] + (m.warmupCounters?.[key] ?? 0);

const errorsOf = (m: StepMetrics): number => Object.values(m.counters.errors).reduce((a, n) => a + (n ?? 0), 0);

describe('drivers over the relay path', () => {
  test('tcp-request-response, open model: counts add up and bytes in == bytes out', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const address = await relayTo(target.address);

    const outcome = await run(
      { kind: 'tcp-request-response', connections: 2, roundTripsPerTransaction: 3, requestBytes: 64, responseBytes: 256, load: { model: 'open', ratePerSec: 100 } },
      address,
    );

    const m = outcome.metrics;
    const c = m.counters;
    expect(c.errors).toEqual({});
    expect(sum(m, 'transactions')).toBeGreaterThan(0);
    expect(c.roundTrips).toBe(3 * c.transactions);
    // On an overloaded machine a whole window's arrivals may stay queued (and drop at its end):
    // the invariants hold either way.
    expect(c.scheduled ?? 0).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(c.sent ?? 0).toBe(c.transactions + errorsOf(m));
    expect(sum(m, 'bytesSent')).toBe(target.stats().bytesReceived);
    expect(sum(m, 'bytesReceived')).toBe(target.stats().bytesSent);
    const rt = m.histograms.responseTime?.summary;
    expect(rt?.p50Us).toBeLessThanOrEqual(rt?.p99Us ?? -1);
    expect(rt?.p99Us).toBeLessThanOrEqual(rt?.maxUs ?? -1);
  });

  test('tcp-request-response, perTransaction: one relayed connection per transaction; first byte after the rendezvous', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const address = await relayTo(target.address);

    const outcome = await run({ kind: 'tcp-request-response', connections: 2, roundTripsPerTransaction: 2, requestBytes: 64, responseBytes: 64, connectionMode: 'perTransaction' }, address);

    const m = outcome.metrics;
    expect(m.counters.errors).toEqual({});
    expect(m.counters.connectionsOpened).toBe(m.counters.transactions);
    expect(sum(m, 'connectionsOpened')).toBe(target.stats().connectionsAccepted);
    // Locally the forwarder accepts at once; the rendezvous cost shows up at the first byte.
    expect(m.histograms.firstByte?.summary.p50Us).toBeGreaterThan(m.histograms.connect.summary.p50Us);
  });

  test('connection-churn: connect, exchange and close each time', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const address = await relayTo(target.address);

    const outcome = await run({ kind: 'connection-churn', connections: 2 }, address);

    const m = outcome.metrics;
    expect(m.counters.errors).toEqual({});
    expect(m.counters.transactions).toBeGreaterThan(0);
    expect(m.counters.connectionsClosed).toBe(m.counters.transactions);
    expect(m.histograms.close?.summary.count).toBe(m.counters.transactions);
  });

  test('tcp-stream both ways: bytes in == bytes out through the relay', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const address = await relayTo(target.address);

    const outcome = await run({ kind: 'tcp-stream', direction: 'both', totalBytes: 2_000_000 }, address, 1500);

    const m = outcome.metrics;
    expect(m.counters.errors).toEqual({});
    expect(m.warmupCounters?.errors).toEqual({});
    expect(sum(m, 'transactions')).toBe(1);
    expect(sum(m, 'bytesSent')).toBe(target.stats().bytesReceived);
    expect(sum(m, 'bytesReceived')).toBe(target.stats().bytesSent);
    expect(target.stats().bytesSent).toBe(2_000_000);
  });

  test('http through autocannon: every counted response was served', async ({ onTestFinished }) => {
    const target = await startHttpTarget();
    onTestFinished(() => target.close());
    const address = await relayTo(target.address);

    const outcome = await run({ kind: 'http', connections: 2 }, address);

    const m = outcome.metrics;
    expect(m.counters.errors).toEqual({});
    expect(sum(m, 'transactions')).toBeGreaterThan(0);
    expect(sum(m, 'transactions')).toBeLessThanOrEqual(target.stats().requests);
  });

  const redisTitle = `dialog against a real redis-server${hasRedisServer ? '' : ` (skipped: ${REDIS_SKIP_REASON})`}`;
  test.skipIf(!hasRedisServer)(redisTitle, async ({ onTestFinished }) => {
    const redis = await startRedisServer();
    onTestFinished(() => redis.close());
    const address = await relayTo(redis.address);

    const outcome = await run(
      { kind: 'dialog', connections: 2, steps: [{ send: 'PING\\r\\n' }, { expect: { exact: '+PONG\\r\\n' } }, { send: 'INCR hc\\r\\n' }, { expect: { regex: '^:\\d+\\r\\n' } }] },
      address,
    );

    const m = outcome.metrics;
    expect(m.counters.errors).toEqual({});
    expect(m.counters.transactions).toBeGreaterThan(0);
    expect(m.counters.roundTrips).toBe(2 * m.counters.transactions);
  });
});
