import { describe, expect, test } from 'vitest';
import { startHttpTarget } from '../../src/targets/http-server.js';
import { httpWorkload } from '../../src/workloads/http.js';
import { systemClock, type HttpParams } from '../../src/workloads/types.js';
import { reserveClosedPort } from '../helpers/target-misbehaving.js';
import { formatIssue, ScenarioError } from '../../src/errors.js';
import { parseScenarioText } from '../../src/scenario/load.js';

const params: HttpParams = { kind: 'http', connections: 2 };

function run(p: HttpParams, address: { host: string; port: number }) {
  return httpWorkload.run({ dialAddress: address, params: p, warmupMs: 100, durationMs: 400, signal: AbortSignal.timeout(20_000), clock: systemClock });
}

describe('http workload (autocannon)', () => {
  test('re-records every 2xx response in integer µs and matches the target count', async ({ onTestFinished }) => {
    const target = await startHttpTarget({ responseBytes: 100 });
    onTestFinished(() => target.close());

    const outcome = await run(params, target.address);

    const m = outcome.metrics;
    const all = m.counters.transactions + (m.warmupCounters?.transactions ?? 0);
    const served = target.stats().requests;
    expect(m.counters.errors).toEqual({});
    expect(all).toBeGreaterThan(0);
    expect(m.counters.roundTrips).toBe(m.counters.transactions);
    expect(all).toBeLessThanOrEqual(served);
    // Served but not counted: responses after the window's end (until autocannon acts on stop(),
    // reported in a note) and at most one in flight per connection when it destroyed them.
    const tail = Number(/(\d+) responses completed after the window/.exec((m.notes ?? []).join('\n'))?.[1] ?? NaN);
    expect(served - all - tail).toBeGreaterThanOrEqual(0);
    expect(served - all - tail).toBeLessThanOrEqual(params.connections);
    const rt = m.histograms.roundTrip.summary;
    expect(rt.count).toBe(m.counters.transactions);
    expect(Number.isInteger(rt.p50Us)).toBe(true);
    expect(rt.p50Us).toBeLessThanOrEqual(rt.p99Us);
    expect(rt.p99Us).toBeLessThanOrEqual(rt.maxUs);
    expect(m.timing?.coordinatedOmissionCorrection).toBe('none');
  });

  test('counts non-2xx responses as mismatch errors', async ({ onTestFinished }) => {
    const target = await startHttpTarget({ statusCode: 503 });
    onTestFinished(() => target.close());

    const outcome = await run(params, target.address);

    expect(outcome.metrics.counters.transactions).toBe(0);
    expect(outcome.metrics.counters.errors.mismatch ?? 0).toBeGreaterThan(0);
  });

  test('counts refused connections when nothing listens, without throwing', async () => {
    const address = await reserveClosedPort();

    const outcome = await run({ ...params, connections: 1 }, address);

    expect(outcome.metrics.counters.transactions).toBe(0);
    expect(outcome.metrics.counters.errors.refused ?? 0).toBeGreaterThan(0);
  });

  test('a request rate caps throughput (autocannon overallRate, its CO correction off)', async ({ onTestFinished }) => {
    const target = await startHttpTarget();
    onTestFinished(() => target.close());

    const outcome = await run({ ...params, ratePerSec: 100 }, target.address);

    // autocannon limits per one-second bucket (a burst at each second's start), so within our
    // 400 ms the whole first second's budget goes out at once, mostly during warm-up.
    const m = outcome.metrics;
    const all = m.counters.transactions + (m.warmupCounters?.transactions ?? 0);
    expect(m.counters.errors).toEqual({});
    expect(all).toBeGreaterThan(0);
    expect(all).toBeLessThanOrEqual(100);
    expect(target.stats().requests).toBeLessThanOrEqual(100);
    // A cap on a closed model, timed from the actual send: labelled so, never as an open model.
    expect(m.timing).toMatchObject({ model: 'closed', latencyFrom: 'dispatch', rateLimitPerSec: 100 });
    expect(m.timing?.ratePerSec).toBeUndefined();
    expect((m.notes ?? []).join('\n')).toContain('coordinated omission');
  });
});

describe('http workload: counted, not configured', () => {
  test('connections opened are counted as they open and equal what the target accepted', async ({ onTestFinished }) => {
    const target = await startHttpTarget();
    onTestFinished(() => target.close());

    const outcome = await run({ ...params, connections: 3 }, target.address);

    const m = outcome.metrics;
    const opened = m.counters.connectionsOpened + (m.warmupCounters?.connectionsOpened ?? 0);
    expect(opened).toBe(target.stats().connectionsAccepted);
    expect(opened).toBeGreaterThanOrEqual(3);
  });

  test('with nothing listening no connection opened: 0, not the configured count', async () => {
    const address = await reserveClosedPort();

    const outcome = await run({ ...params, connections: 2 }, address);

    expect(outcome.metrics.counters.connectionsOpened + (outcome.metrics.warmupCounters?.connectionsOpened ?? 0)).toBe(0);
    expect(outcome.metrics.counters.errors.refused ?? 0).toBeGreaterThan(0);
  });

  test('a timeout of non-whole seconds is refused with a clear error, not rounded up', async () => {
    const address = await reserveClosedPort();

    await expect(run({ ...params, timeoutMs: 1_500 }, address)).rejects.toThrow(/`timeoutMs` must be whole seconds >= 1000 .* got 1500/);
  });

  test('the scenario refuses timeoutMs: 1500 naming the key and line', () => {
    const text = `name: t
target: { kind: http }
paths: [{ kind: direct }]
workload:
  kind: http
  connections: 1
  timeoutMs: 1500
`;
    let message = '';
    try {
      parseScenarioText(text, 'http.yaml');
    } catch (error) {
      message = error instanceof ScenarioError ? error.issues.map((i) => formatIssue('http.yaml', i)).join('\n') : String(error);
    }

    expect(message).toMatch(/http\.yaml:7:\d+ workload\.timeoutMs: must be whole seconds/);
  });
});
