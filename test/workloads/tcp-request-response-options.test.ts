import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget, type RequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { tcpRequestResponse } from '../../src/workloads/tcp-request-response.js';
import { systemClock, type TcpRequestResponseParams } from '../../src/workloads/types.js';
import type { StepCounters } from '../../src/metrics/result.js';
import type { TransactionOutcome } from '../../src/metrics/recorder.js';
import { reserveClosedPort, startRefusingProxy } from '../helpers/target-misbehaving.js';

const base: TcpRequestResponseParams = {
  kind: 'tcp-request-response',
  connections: 2,
  roundTripsPerTransaction: 2,
  requestBytes: 64,
  responseBytes: 64,
};

const errorsOf = (c: StepCounters): number => Object.values(c.errors).reduce((a, n) => a + (n ?? 0), 0);

function run(
  params: TcpRequestResponseParams,
  address: { host: string; port: number },
  durationMs = 300,
  warmupMs = 0,
  onOutcome?: (outcome: TransactionOutcome) => void,
) {
  return tcpRequestResponse.run({ dialAddress: address, params, warmupMs, durationMs, signal: AbortSignal.timeout(20_000), clock: systemClock, onOutcome });
}

/**
 * Stalls `target` for `stallMs` once `afterSuccesses` transactions of the window have succeeded: the
 * stall is placed by the run's own progress, not by a timer started before it (connection setup on a
 * loaded machine can outlast such a timer, so the stall would fall before the window).
 */
function stallAfter(target: RequestResponseTarget, afterSuccesses: number, stallMs: number): (outcome: TransactionOutcome) => void {
  let successes = 0;
  return (outcome) => {
    if (outcome.ok && ++successes === afterSuccesses) target.stall(stallMs);
  };
}

describe('tcp-request-response options', () => {
  test('perTransaction opens one connection per transaction and records first-byte time for each', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const outcome = await run({ ...base, connectionMode: 'perTransaction' }, target.address, 300, 50);

    const { counters, histograms } = outcome.metrics;
    const warm = outcome.metrics.warmupCounters;
    expect(counters.errors).toEqual({});
    expect(counters.transactions).toBeGreaterThan(0);
    expect(counters.connectionsOpened).toBe(counters.transactions);
    expect(counters.connectionsClosed).toBe(counters.transactions);
    expect(histograms.firstByte?.summary.count).toBe(counters.transactions);
    expect(histograms.connect.summary.count).toBe(counters.transactions);
    expect(counters.connectionsOpened + (warm?.connectionsOpened ?? 0)).toBe(target.stats().connectionsAccepted);
    expect(counters.connectionsPeak ?? 0).toBeLessThanOrEqual(base.connections);
  });

  test('size distributions are honoured byte for byte by the target', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const params: TcpRequestResponseParams = {
      ...base,
      requestBytesDistribution: { distribution: 'uniform', minBytes: 8, maxBytes: 2000 },
      responseBytesDistribution: { distribution: 'choice', bytes: [1, 100, 70_000], weights: [1, 2, 1] },
      seed: 42,
    };

    const outcome = await run(params, target.address, 300, 50);

    const c = outcome.metrics.counters;
    const w = outcome.metrics.warmupCounters;
    const stats = target.stats();
    expect(c.errors).toEqual({});
    expect(c.roundTrips).toBe(c.transactions * 2);
    expect(c.bytesSent + (w?.bytesSent ?? 0)).toBe(stats.bytesReceived);
    expect(c.bytesReceived + (w?.bytesReceived ?? 0)).toBe(stats.bytesSent);
    expect(c.bytesSent).not.toBe(c.roundTrips * 64);
  });

  test('think time lies inside transactions but outside round trips', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const outcome = await run({ ...base, connections: 1, roundTripsPerTransaction: 3, thinkTimeMs: 20 }, target.address);

    const h = outcome.metrics.histograms;
    expect(outcome.metrics.counters.transactions).toBeGreaterThan(0);
    expect(h.transaction.summary.minUs).toBeGreaterThanOrEqual(2 * 20_000);
    expect(h.roundTrip.summary.p50Us).toBeLessThan(20_000);
  });

  test('open model: counts add up and latencies are timed from the intended start', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const params: TcpRequestResponseParams = { ...base, load: { model: 'open', ratePerSec: 200 } };

    const outcome = await run(params, target.address, 400, 100);

    const { counters: c, histograms: h, timing } = outcome.metrics;
    expect(timing).toMatchObject({ model: 'open', latencyFrom: 'intended', coordinatedOmissionCorrection: 'none' });
    expect(c.scheduled).toBeGreaterThanOrEqual(79);
    expect(c.scheduled).toBeLessThanOrEqual(81);
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(c.sent).toBe(c.transactions + errorsOf(c));
    expect(h.responseTime?.summary.count).toBe(c.transactions);
    expect(h.serviceTime?.summary.count).toBe(c.transactions);
    expect(h.dispatchLag?.summary.count).toBe(c.sent);
    const rt = h.responseTime?.summary;
    expect(rt?.p50Us).toBeLessThanOrEqual(rt?.p99Us ?? -1);
    expect(rt?.p99Us).toBeLessThanOrEqual(rt?.maxUs ?? -1);
    expect(h.responseTime?.summary.maxUs).toBeGreaterThanOrEqual(h.serviceTime?.summary.minUs ?? Infinity);
  });

  test('open model: an injected stall shows in response time but not in service time', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const params: TcpRequestResponseParams = { ...base, connections: 1, roundTripsPerTransaction: 1, load: { model: 'open', ratePerSec: 200 } };

    // A 300 ms stall from the 10th transaction (~50 ms into the 600 ms window at 200/s): ~60 arrivals
    // fall due behind it. 300 ms, not 150: on a loaded 2-core machine the test process is paused
    // for up to ~55 ms at a time (dispatch lag p99 measured with load average 13), and the figures
    // below must show the stall, not such a pause.
    const stallMs = 300;
    const outcome = await run(params, target.address, 600, 0, stallAfter(target, 10, stallMs));

    const { counters: c, histograms: h } = outcome.metrics;
    expect(c.errors).toEqual({});
    // Queue mode sends everything it can; only arrivals still queued at the window's end drop. A
    // pause of the process near the end queues the arrivals due in it (9 dropped after one such
    // pause), so that count is no constant; but it stays well below the stall's own arrivals, which
    // drop mode would drop (next test) and queue mode holds and sends.
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(c.dropped ?? 0).toBeLessThan((stallMs / 1000) * 200 * 0.5);
    // Arrivals queued behind the stall waited for the one connection: that is pool wait (the
    // system's queueing), not generator lateness, so `late` need not move.
    expect(h.poolWait?.summary.maxUs).toBeGreaterThan((stallMs / 2) * 1000);
    // Arrivals queued behind the stall carry it in response time (timed from the intended start);
    // in service time only the one transaction caught in flight does.
    expect(h.responseTime?.summary.maxUs).toBeGreaterThan((stallMs / 2) * 1000);
    expect(h.serviceTime?.summary.maxUs).toBeGreaterThan((stallMs / 2) * 1000);
    expect(h.responseTime?.summary.p90Us).toBeGreaterThan(2 * (h.serviceTime?.summary.p90Us ?? Infinity));
  });

  test('open model with whenBehind drop skips arrivals during a stall and counts them', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const params: TcpRequestResponseParams = {
      ...base,
      connections: 1,
      roundTripsPerTransaction: 1,
      load: { model: 'open', ratePerSec: 200, whenBehind: 'drop' },
    };

    // The same 300 ms stall as above, from the 10th transaction of a 600 ms window at 200/s.
    const stallMs = 300;
    const outcome = await run(params, target.address, 600, 0, stallAfter(target, 10, stallMs));

    const c = outcome.metrics.counters;
    // Every arrival due while the one connection is stalled finds it busy and drops: ~60, so at
    // least the half that queue mode stays below (test above).
    expect(c.dropped ?? 0).toBeGreaterThanOrEqual((stallMs / 1000) * 200 * 0.5);
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(c.sent).toBe(c.transactions + errorsOf(c));
    expect(outcome.metrics.timing?.whenBehind).toBe('drop');
  });

  test('connect retries are counted apart from errors', async () => {
    const address = await reserveClosedPort();

    const outcome = await run({ ...base, connections: 1, retry: { attempts: 2, backoffMs: 1 } }, address, 200);

    const c = outcome.metrics.counters;
    expect(c.errors.refused ?? 0).toBeGreaterThan(0);
    // Every failed transaction made 3 attempts: 2 retried, the last one counted as the error.
    expect(c.retries).toBe(2 * (c.errors.refused ?? 0));
    expect(c.retriedErrors?.refused).toBe(c.retries);
    expect(c.connectionsFailed).toBe(c.errors.refused);
  });

  test('a new connection refused before its first byte is retried, counted apart, and the transaction succeeds', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const proxy = await startRefusingProxy(target.address, 2);
    onTestFinished(() => proxy.close());
    const params: TcpRequestResponseParams = { ...base, connections: 1, roundTripsPerTransaction: 1, connectionMode: 'perTransaction', retry: { attempts: 3, backoffMs: 1 } };

    const outcome = await run(params, proxy.address, 200);

    const c = outcome.metrics.counters;
    expect(c.errors).toEqual({});
    expect(c.retries).toBe(2);
    expect(c.retriedErrors).toEqual({ closed: 2 });
    expect(c.transactions).toBeGreaterThan(0);
    expect(c.sent).toBe(c.transactions);
    expect(c.connectionsOpened).toBe(proxy.accepted());
  });

  test('without retries a refusal is one error of its transaction', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const proxy = await startRefusingProxy(target.address, 1);
    onTestFinished(() => proxy.close());

    const outcome = await run({ ...base, connections: 1, roundTripsPerTransaction: 1, connectionMode: 'perTransaction' }, proxy.address, 200);

    const c = outcome.metrics.counters;
    expect(c.errors).toEqual({ closed: 1 });
    expect(c.retries).toBeUndefined();
    expect(c.sent).toBe(c.transactions + 1);
  });

  test('open model without spin-wait keeps the schedule; its dispatch lag is measured, not hidden', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const outcome = await run({ ...base, load: { model: 'open', ratePerSec: 500, spinWaitMs: 0 } }, target.address, 300);

    const { counters: c, histograms: h } = outcome.metrics;
    expect(c.scheduled).toBeGreaterThanOrEqual(149);
    expect(c.scheduled).toBeLessThanOrEqual(151);
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(h.dispatchLag?.summary.count).toBe(c.sent);
    expect(h.responseTime?.summary.p50Us).toBeGreaterThanOrEqual(h.serviceTime?.summary.p50Us ?? Infinity);
  });
});
