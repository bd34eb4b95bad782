// Every driver honours its signal: an abort mid-run returns partial metrics marked aborted, soon.

import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { startHttpTarget } from '../../src/targets/http-server.js';
import { workloads } from '../../src/workloads/index.js';
import { systemClock, type WorkloadParams } from '../../src/workloads/types.js';

const cases: { name: string; params: WorkloadParams; http?: boolean }[] = [
  { name: 'tcp-request-response (open)', params: { kind: 'tcp-request-response', connections: 2, roundTripsPerTransaction: 2, requestBytes: 64, responseBytes: 64, load: { model: 'open', ratePerSec: 500 } } },
  { name: 'connection-churn', params: { kind: 'connection-churn', connections: 2 } },
  { name: 'tcp-stream', params: { kind: 'tcp-stream', direction: 'both' } },
  { name: 'http', params: { kind: 'http', connections: 2 }, http: true },
  { name: 'dialog', params: { kind: 'dialog', connections: 1, steps: [{ send: '00000008 00000002', encoding: 'hex' }, { expect: { bytes: 2 } }] } },
];

describe('abort', () => {
  test.for(cases)('$name returns partial metrics marked aborted', async ({ params, http }, { onTestFinished }) => {
    const target = http === true ? await startHttpTarget() : await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const controller = new AbortController();
    // Abort once the target has answered something (polled every 20 ms, at most 10 s), so the
    // partial result has data even on a loaded machine.
    const served = (): number => ('requests' in target.stats() ? target.stats().requests : 0);
    const poll = setInterval(() => {
      if (served() > 0 || performance.now() - startedMs > 10_000) {
        clearInterval(poll);
        setTimeout(() => controller.abort(), 100);
      }
    }, 20);
    onTestFinished(() => clearInterval(poll));
    const startedMs = performance.now();

    const outcome = await workloads[params.kind].run({ dialAddress: target.address, params, warmupMs: 0, durationMs: 60_000, signal: controller.signal, clock: systemClock });

    expect(outcome.isAborted).toBe(true);
    expect(performance.now() - startedMs).toBeLessThan(20_000);
    expect(outcome.metrics.durationMs).toBeGreaterThan(0);
    expect(outcome.metrics.durationMs).toBeLessThan(60_000);
    expect(outcome.metrics.counters.bytesReceived).toBeGreaterThan(0);
  });
});
