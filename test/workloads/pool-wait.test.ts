// Pool wait is the system's queueing, not the generator's lag: a real open-model run whose
// arrivals outpace a pool of 2 connections to a slow built-in target (20 ms per request, so the
// pool serves 100/s against 200/s offered). The wait for a free connection lands in its own
// histogram and in response time; dispatch lag stays the generator's own (small) lateness.

import { describe, expect, test } from 'vitest';
import { splitWait } from '../../src/workloads/open-loop.js';
import { workloads } from '../../src/workloads/index.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { systemClock } from '../../src/workloads/types.js';

describe('pool wait', () => {
  test('the wait before dispatch splits into lag and pool wait that add up', () => {
    expect(splitWait(100n, 150n)).toEqual({ lagNs: 50n, poolWaitNs: 0n });
    // Seen 5 late, slot freed at 140, dispatched at 142: 35 waited for the pool, 5 + 2 generator.
    expect(splitWait(100n, 142n, { observedNs: 105n, freedNs: 140n })).toEqual({ lagNs: 7n, poolWaitNs: 35n });
    // A slot end before the arrival was seen (never waited), and a clock that went nowhere.
    expect(splitWait(100n, 120n, { observedNs: 110n, freedNs: 90n })).toEqual({ lagNs: 20n, poolWaitNs: 0n });
    expect(splitWait(100n, 90n, { observedNs: 95n, freedNs: 99n })).toEqual({ lagNs: 0n, poolWaitNs: 0n });
  });

  test('a pool that cannot keep up: pool wait large, dispatch lag small, response = lag + wait + service', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget({ serviceTimeUs: 20_000, concurrency: 8 });
    onTestFinished(() => target.close());

    const outcome = await workloads['tcp-request-response'].run({
      dialAddress: target.address,
      params: {
        kind: 'tcp-request-response',
        connections: 2,
        roundTripsPerTransaction: 1,
        requestBytes: 64,
        responseBytes: 64,
        load: { model: 'open', ratePerSec: 200, whenBehind: 'queue' },
      },
      warmupMs: 0,
      durationMs: 1000,
      signal: AbortSignal.timeout(30_000),
      clock: systemClock,
    });

    const m = outcome.metrics;
    const h = m.histograms;
    const lag = h.dispatchLag?.summary;
    const pool = h.poolWait?.summary;
    const service = h.serviceTime?.summary;
    const response = h.responseTime?.summary;
    if (lag === undefined || pool === undefined || service === undefined || response === undefined) throw new Error('open-model histograms missing');
    // Every dispatched arrival has one lag and one pool-wait sample.
    expect(pool.count).toBe(lag.count);
    expect(lag.count).toBe(m.counters.sent);
    expect(m.counters.transactions).toBeGreaterThan(0);
    // Twice the pool's capacity offered: the queue grows, so most arrivals wait at least one service time.
    expect(pool.p50Us).toBeGreaterThanOrEqual(service.p50Us);
    expect(pool.p99Us).toBeGreaterThan(10 * lag.p50Us);
    // The generator was free to act and acted: its lag is a small fraction of the pool wait.
    expect(lag.p50Us * 10).toBeLessThan(pool.p50Us);
    // Response time is lag + pool wait + service time: it can be no less than the pool wait.
    expect(response.p50Us).toBeGreaterThanOrEqual(pool.p50Us);
    expect(response.maxUs).toBeGreaterThanOrEqual(pool.maxUs);
    // The wait is not blamed on the generator: the response figures are judged against its own timing error only.
    expect(m.generator?.noise?.p95Us ?? Infinity).toBeLessThan(pool.p50Us);
    expect(m.generator?.untrusted ?? []).not.toContain('poolWait.p50');
  });
});
