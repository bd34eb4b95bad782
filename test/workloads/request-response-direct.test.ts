// The open model's callback path of tcp-request-response (request-response-direct.ts) against real
// targets: the same counts and bytes as the async path, and every failure (reset, mismatch,
// timeout) counted once, with the connection replaced on the async path.

import { describe, expect, test } from 'vitest';
import type { StepCounters } from '../../src/metrics/result.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { tcpRequestResponse } from '../../src/workloads/tcp-request-response.js';
import { systemClock, type DialAddress, type TcpRequestResponseParams } from '../../src/workloads/types.js';
import { startMisbehavingTarget } from '../helpers/target-misbehaving.js';

const open = (overrides: Partial<TcpRequestResponseParams> = {}): TcpRequestResponseParams => ({
  kind: 'tcp-request-response',
  connections: 4,
  roundTripsPerTransaction: 3,
  requestBytes: 64,
  responseBytes: 100,
  load: { model: 'open', ratePerSec: 1000, whenBehind: 'queue' },
  ...overrides,
});

const errorsOf = (c: StepCounters): number => Object.values(c.errors).reduce((a, n) => a + (n ?? 0), 0);

function run(address: DialAddress, params: TcpRequestResponseParams, warmupMs: number, durationMs: number) {
  return tcpRequestResponse.run({ dialAddress: address, params, warmupMs, durationMs, signal: AbortSignal.timeout(20_000), clock: systemClock });
}

describe('tcp-request-response, open model callback path', () => {
  test('counts, bytes and histograms add up against the real target', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const p = open();

    const outcome = await run(target.address, p, 100, 300);

    const { counters: c, histograms: h } = outcome.metrics;
    const w = outcome.metrics.warmupCounters;
    if (w === undefined) throw new Error('warmupCounters missing');
    const stats = target.stats();
    expect(c.errors).toEqual({});
    expect(c.transactions).toBeGreaterThan(0);
    expect(c.sent).toBe(c.transactions);
    expect(c.roundTrips).toBe(c.transactions * p.roundTripsPerTransaction);
    expect(c.bytesSent).toBe(c.roundTrips * p.requestBytes);
    expect(c.bytesReceived).toBe(c.roundTrips * p.responseBytes);
    expect(c.bytesSent + w.bytesSent).toBe(stats.bytesReceived);
    expect(c.bytesReceived + w.bytesReceived).toBe(stats.bytesSent);
    expect(c.roundTrips + w.roundTrips).toBe(stats.requests);
    expect(stats.connectionsAccepted).toBe(p.connections);
    expect(h.roundTrip.summary.count).toBe(c.roundTrips);
    expect(h.transaction.summary.count).toBe(c.transactions);
    expect(h.responseTime?.summary.count).toBe(c.transactions);
    // Each connection's first response is timed once, in the phase it happened.
    expect(h.firstByte?.summary.count ?? 0).toBeLessThanOrEqual(p.connections);
    expect(h.transaction.summary.p50Us).toBeGreaterThanOrEqual(h.roundTrip.summary.p50Us);
    expect(h.responseTime?.summary.p50Us).toBeGreaterThanOrEqual(h.serviceTime?.summary.p50Us ?? Infinity);
  });

  test('a target that resets every connection: each failure counted once, connections replaced', async ({ onTestFinished }) => {
    const target = await startMisbehavingTarget('reset');
    onTestFinished(() => target.close());

    const outcome = await run(target.address, open({ connections: 1, load: { model: 'open', ratePerSec: 200, whenBehind: 'drop' } }), 0, 300);

    const c = outcome.metrics.counters;
    expect(c.errors.reset ?? 0).toBeGreaterThan(0);
    expect(errorsOf(c)).toBeGreaterThan(1);
    expect(c.transactions).toBe(0);
    expect(c.sent).toBe(errorsOf(c) + (c.stoppedInFlight ?? 0));
    expect(c.connectionsOpened).toBe(target.accepted());
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
  });

  test('a response longer than asked is a mismatch, a stalled one a timeout', async ({ onTestFinished }) => {
    const tooLong = await startMisbehavingTarget('too-long');
    onTestFinished(() => tooLong.close());
    const stall = await startMisbehavingTarget('stall');
    onTestFinished(() => stall.close());

    const mismatch = await run(tooLong.address, open({ connections: 1, roundTripsPerTransaction: 1, load: { model: 'open', ratePerSec: 200, whenBehind: 'drop' } }), 0, 200);
    const timedOut = await run(stall.address, open({ connections: 1, timeoutMs: 100, load: { model: 'open', ratePerSec: 200, whenBehind: 'drop' } }), 0, 200);

    expect(mismatch.metrics.counters.errors.mismatch ?? 0).toBeGreaterThan(0);
    expect(mismatch.metrics.counters.transactions).toBe(0);
    expect(timedOut.metrics.counters.errors.timeout ?? 0).toBeGreaterThan(0);
    expect(timedOut.metrics.counters.transactions).toBe(0);
    for (const c of [mismatch.metrics.counters, timedOut.metrics.counters]) expect(c.sent).toBe(errorsOf(c) + (c.stoppedInFlight ?? 0));
  });
});
