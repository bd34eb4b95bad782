import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { tcpStream } from '../../src/workloads/tcp-stream.js';
import { systemClock, type TcpStreamParams } from '../../src/workloads/types.js';
import type { StepMetrics } from '../../src/metrics/result.js';

const total = (m: StepMetrics, key: 'bytesSent' | 'bytesReceived'): number => m.counters[key] + (m.warmupCounters?.[key] ?? 0);

async function runAgainstTarget(params: TcpStreamParams, onTestFinished: (fn: () => Promise<void>) => void, durationMs = 300) {
  const target = await startRequestResponseTarget();
  onTestFinished(() => target.close());
  const outcome = await tcpStream.run({ dialAddress: target.address, params, warmupMs: 50, durationMs, signal: AbortSignal.timeout(20_000), clock: systemClock });
  return { outcome, stats: target.stats() };
}

describe('tcp-stream workload', () => {
  test('upload: every byte sent reaches the target and throughput is sampled per interval', async ({ onTestFinished }) => {
    const { outcome, stats } = await runAgainstTarget({ kind: 'tcp-stream', direction: 'upload', connections: 2, intervalMs: 50 }, onTestFinished);

    const m = outcome.metrics;
    const up = m.throughput?.upload;
    expect(m.counters.errors).toEqual({});
    expect(m.counters.transactions).toBe(2);
    expect(total(m, 'bytesSent')).toBe(stats.bytesReceived);
    expect(total(m, 'bytesSent')).toBeGreaterThan(100_000);
    expect(up?.count).toBeGreaterThanOrEqual(1);
    expect(up?.overallBytesPerSec).toBeGreaterThan(0);
    expect(up?.minBytesPerSec).toBeLessThanOrEqual(up?.p50BytesPerSec ?? -1);
    expect(up?.p50BytesPerSec).toBeLessThanOrEqual(up?.maxBytesPerSec ?? -1);
    expect(m.throughput?.download).toBeUndefined();
  });

  test('download: every byte the target streamed arrives after our FIN', async ({ onTestFinished }) => {
    const { outcome, stats } = await runAgainstTarget({ kind: 'tcp-stream', direction: 'download' }, onTestFinished);

    const m = outcome.metrics;
    expect(m.counters.errors).toEqual({});
    expect(m.counters.transactions).toBe(1);
    expect(total(m, 'bytesReceived')).toBe(stats.bytesSent);
    expect(total(m, 'bytesReceived')).toBeGreaterThan(100_000);
    expect(m.throughput?.download?.overallBytesPerSec).toBeGreaterThan(0);
  });

  test('both directions with a byte count stop at exactly that count, with a latency probe alongside', async ({ onTestFinished }) => {
    const params: TcpStreamParams = { kind: 'tcp-stream', direction: 'both', totalBytes: 3_000_000, probe: { ratePerSec: 100 } };

    const { outcome, stats } = await runAgainstTarget(params, onTestFinished, 400);

    const m = outcome.metrics;
    const probeRequests = m.counters.roundTrips + (m.warmupCounters?.roundTrips ?? 0);
    expect(m.counters.errors).toEqual({});
    expect(m.warmupCounters?.errors).toEqual({});
    expect(m.counters.transactions + (m.warmupCounters?.transactions ?? 0)).toBe(1);
    expect(stats.bytesReceived).toBe(8 + 3_000_000 + probeRequests * 64);
    expect(stats.bytesSent).toBe(3_000_000 + probeRequests * 64);
    expect(total(m, 'bytesReceived')).toBe(stats.bytesSent);
    expect(m.histograms.roundTrip.summary.count).toBe(m.counters.roundTrips);
  });
});
