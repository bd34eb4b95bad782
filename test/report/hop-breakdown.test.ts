import { describe, expect, test } from 'vitest';
import { hopBreakdownLines } from '../../src/report/hop-breakdown.js';
import type { HistogramRecord, RunResult } from '../../src/metrics/result.js';

const record = (p50Us: number, p99Us: number, count = 10): HistogramRecord => ({
  unit: 'us',
  encoded: '',
  summary: { count, minUs: p50Us, meanUs: p50Us, stdDevUs: 0, p50Us, p90Us: p99Us, p99Us, p999Us: p99Us, maxUs: p99Us },
});

describe('hop breakdown', () => {
  test('shows forwarder and agent hold times and the rendezvous per relay path', () => {
    const result = {
      pathCounters: {
        'relay-emulated': {
          forwarder: { timing: { toRelayHop: record(18, 90), fromRelayHop: record(9, 40), setup: record(3400, 9000) } },
          agent: { timing: { toRelayHop: record(8, 30), fromRelayHop: record(12, 50) } },
        },
        direct: { delayShim: {} },
      },
      environment: { roles: { 'relay-emulated.forwarder': 'app-relay-client (pid 42)' } },
      steps: [
        { pathId: 'relay-emulated', status: 'completed', metrics: { generator: { eventLoopDelay: { p99Us: 700 } } } },
        { pathId: 'relay-emulated', status: 'completed', metrics: { generator: { eventLoopDelay: { p99Us: 900 } } } },
        { pathId: 'direct', status: 'completed', metrics: { generator: { eventLoopDelay: { p99Us: 5000 } } } },
      ],
    } as unknown as RunResult;

    const text = hopBreakdownLines(result).join('\n');

    expect(text).toContain('relay-emulated forwarder');
    expect(text).toMatch(/relay-emulated forwarder\s+18 µs \/ 90 µs\s+9 µs \/ 40 µs\s+3.40 ms \/ 9.00 ms/);
    expect(text).toMatch(/relay-emulated agent\s+12 µs \/ 50 µs\s+8 µs \/ 30 µs/);
    expect(text).not.toContain('direct');
    // The forwarder's process is named, with the generator's loop delay on that path's steps only.
    expect(text).toContain('relay-emulated forwarder ran in app-relay-client (pid 42), outside the generator');
    expect(text).toContain('event-loop delay p99 on its steps 900 µs');
  });

  test('joins the forwarder and every agent stamps into the setup in steps', () => {
    const forwarderStamps = [0, 1000, 2000].map((base, i) => ({ id: `f${i}`, acceptedUs: base, startedUs: base + 10, connectedUs: base + 60, openUs: base + 400, firstByteUs: base + 700 }));
    const agentStamps = (ids: number[]) => ids.map((i) => ({ id: `f${i}`, offeredUs: i * 1000 + 200, openUs: i * 1000 + 390, targetUs: i * 1000 + 300 }));
    const result = {
      pathCounters: {
        'relay-emulated': {
          forwarder: { timing: { setup: record(400, 400) }, setupStamps: [...forwarderStamps, { id: 'orphan', acceptedUs: 5, startedUs: 6, openUs: 7, firstByteUs: 8 }] },
          agent: { timing: {} },
          agents: { a0: { setupStamps: agentStamps([0, 1]) }, a1: { setupStamps: agentStamps([2]) } },
        },
      },
    } as unknown as RunResult;

    const text = hopBreakdownLines(result).join('\n');

    expect(text).toContain('relay-emulated connection setup in steps (p50 / p99 of the last 3 connections; 1 not joined, 0 out of order');
    expect(text).toMatch(/sender WebSocket handshake\s+50 µs \/ 50 µs/);
    expect(text).toMatch(/accept control message\s+140 µs \/ 140 µs/);
    expect(text).toMatch(/listener's rendezvous WebSocket\s+200 µs \/ 200 µs/);
    expect(text).toMatch(/target connect \(in parallel\)\s+100 µs \/ 100 µs/);
    expect(text).toMatch(/local accept → first response byte\s+700 µs \/ 700 µs/);
  });

  test('says nothing when no path recorded timing', () => {
    expect(hopBreakdownLines({ pathCounters: { direct: {} } } as unknown as RunResult)).toEqual([]);
  });
});
