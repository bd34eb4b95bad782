import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { connectionChurn, portExhaustionNotes } from '../../src/workloads/connection-churn.js';
import { systemClock } from '../../src/workloads/types.js';

describe('connection-churn workload', () => {
  test('opens, exchanges on and closes one connection per transaction', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const outcome = await connectionChurn.run({
      dialAddress: target.address,
      params: { kind: 'connection-churn', connections: 2, load: { model: 'open', ratePerSec: 200 } },
      warmupMs: 0,
      durationMs: 300,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    const { counters: c, histograms: h } = outcome.metrics;
    const stats = target.stats();
    expect(c.errors).toEqual({});
    expect(c.transactions).toBeGreaterThan(0);
    expect(c.connectionsOpened).toBe(c.transactions);
    expect(c.connectionsClosed).toBe(c.transactions);
    expect(stats.connectionsAccepted).toBe(c.connectionsOpened);
    expect(stats.connectionsActive).toBe(0);
    expect(h.connect.summary.count).toBe(c.transactions);
    expect(h.firstByte?.summary.count).toBe(c.transactions);
    expect(h.close?.summary.count).toBe(c.transactions);
    expect(c.bytesSent).toBe(stats.bytesReceived);
    expect(c.bytesReceived).toBe(stats.bytesSent);
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
  });

  test('portExhaustionNotes warns about EADDRNOTAVAIL and about rates that fill TIME_WAIT', () => {
    expect(portExhaustionNotes(100, 1000, 0, 28_232)).toEqual([]);
    expect(portExhaustionNotes(100, 1000, 3, 28_232)[0]).toContain('EADDRNOTAVAIL');
    expect(portExhaustionNotes(1000, 1000, 0, 28_232)[0]).toContain('TIME_WAIT');
  });
});
