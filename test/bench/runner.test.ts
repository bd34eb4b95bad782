// The bench runner's bookkeeping (not timing): every entry appears in the table and the JSON,
// a missing reference tool skips its entry with the reason, pending entries are listed, a failing
// entry is reported as failed, and sides alternate A B / B A over rounds.

import { describe, expect, test } from 'vitest';
import { runSuite } from '../../bench/lib/runner.js';
import { renderReportJson, renderTable } from '../../bench/lib/table.js';
import type { BenchEntry, BenchReport } from '../../bench/lib/types.js';
import { parseSockperf, parseWrk } from '../../bench/lib/measure.js';

function fakeEntry(id: string, overrides: Partial<BenchEntry> = {}, calls: string[] = []): BenchEntry {
  let closed = false;
  return {
    id,
    title: `${id} title`,
    issue: '#3',
    unit: 'RT/s',
    better: 'higher',
    hcbenchLabel: `${id} hcbench`,
    referenceLabel: `${id} reference`,
    requires: [],
    setup: async () => ({
      runHcbench: async (round) => {
        calls.push(`${id}:hcbench:${round}`);
        return { value: 100 + round, detail: { p50Us: 50 } };
      },
      runReference: async (round) => {
        calls.push(`${id}:reference:${round}`);
        return { value: 200, detail: { p50Us: 25 } };
      },
      close: async () => {
        closed = true;
        calls.push(`${id}:closed:${String(closed)}`);
      },
    }),
    ...overrides,
  };
}

async function runFixture(calls: string[]): Promise<BenchReport> {
  const entries = [
    fakeEntry('alpha', {}, calls),
    fakeEntry('needs-tool', { requires: ['present-tool', 'absent-tool'] }, calls),
    fakeEntry('later', { pendingReason: 'waits for issue #9' }, calls),
    fakeEntry('broken', {
      setup: async () => ({
        runHcbench: async () => ({ value: 1 }),
        runReference: async () => {
          throw new Error('reference crashed');
        },
        close: async () => {
          calls.push('broken:closed');
        },
      }),
    }),
  ];
  let t = 1_000_000;
  return runSuite(entries, {
    rounds: 3,
    findTool: async (name) => (name === 'absent-tool' ? undefined : `/usr/bin/${name}`),
    nowMs: () => (t += 1000),
  });
}

describe('bench runner', () => {
  test('lists every entry in the table and the JSON, with skipped, pending and failed ones stated', async () => {
    const calls: string[] = [];

    const report = await runFixture(calls);
    const table = renderTable(report);
    const json = JSON.parse(renderReportJson(report)) as BenchReport;

    expect(report.entries.map((e) => [e.id, e.status])).toEqual([
      ['alpha', 'measured'],
      ['needs-tool', 'skipped'],
      ['later', 'pending'],
      ['broken', 'failed'],
    ]);
    expect(json.entries.map((e) => e.id)).toEqual(['alpha', 'needs-tool', 'later', 'broken']);
    for (const id of ['alpha', 'needs-tool', 'later', 'broken']) expect(table).toContain(id);
    const skipped = report.entries[1];
    expect(skipped?.status === 'skipped' ? skipped.reason : '').toContain('absent-tool');
    expect(skipped?.status === 'skipped' ? skipped.reason : '').not.toContain('present-tool');
    expect(table).toMatch(/needs-tool.*skipped: reference tool not found on PATH: absent-tool/);
    expect(table).toMatch(/later.*pending: waits for issue #9/);
    expect(table).toMatch(/broken.*failed: reference crashed/);
    expect(calls.some((c) => c.startsWith('needs-tool'))).toBe(false);
    expect(calls).toContain('broken:closed');
  });

  test('runs an unrecorded warm-up round, alternates the sides A B, B A, A B and summarises medians, ratio and spread', async () => {
    const calls: string[] = [];

    const report = await runFixture(calls);

    expect(calls.filter((c) => c.startsWith('alpha'))).toEqual([
      'alpha:hcbench:-1',
      'alpha:reference:-1',
      'alpha:hcbench:0',
      'alpha:reference:0',
      'alpha:reference:1',
      'alpha:hcbench:1',
      'alpha:hcbench:2',
      'alpha:reference:2',
      'alpha:closed:true',
    ]);
    const alpha = report.entries[0];
    expect(alpha?.status).toBe('measured');
    if (alpha?.status !== 'measured') return;
    expect(alpha.hcbench.medianValue).toBe(101);
    expect(alpha.reference.medianValue).toBe(200);
    expect(alpha.ratio).toBeCloseTo(101 / 200, 10);
    expect(alpha.spread).toBeCloseTo((102 / 200 - 100 / 200) / (101 / 200), 10);
    expect(alpha.steadiness).toBe('steady');
    // The warm-up's 99 RT/s is in no round and no median.
    expect(alpha.rounds).toHaveLength(6);
    expect(alpha.rounds.every((r) => r.round >= 0)).toBe(true);
    expect(alpha.warmupRounds).toBe(1);
    expect(renderTable(report)).toMatch(/alpha \(#3\)\s+101 RT\/s\s+200 RT\/s\s+0\.51×\s+2%/);
  });
});

describe('the warm-up round', () => {
  test('is skipped for single-round entries and for entries that turn it off', async () => {
    const calls: string[] = [];
    const report = await runSuite([fakeEntry('single', { rounds: 1 }, calls), fakeEntry('stateful', { hasWarmupRound: false }, calls)], {
      rounds: 2,
      findTool: async (name) => `/usr/bin/${name}`,
    });
    expect(calls.filter((c) => c.endsWith(':-1'))).toEqual([]);
    expect(calls.filter((c) => c.startsWith('stateful:hcbench'))).toEqual(['stateful:hcbench:0', 'stateful:hcbench:1']);
    expect(report.entries.map((e) => (e.status === 'measured' ? e.warmupRounds : undefined))).toEqual([0, 0]);
  });
});

describe('an interrupted suite (Ctrl-C)', () => {
  test('marks the entry the interrupt cut and the report; a whole entry before it and a skipped one after are not marked', async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const cutting = fakeEntry('cut', {
      setup: async () => ({
        runHcbench: async () => {
          controller.abort();
          return { value: 1 };
        },
        runReference: async () => ({ value: 2 }),
        close: async () => {
          calls.push('cut:closed');
        },
      }),
    });
    let t = 0;

    const report = await runSuite([fakeEntry('whole', {}, calls), cutting, fakeEntry('after', {}, calls)], { rounds: 3, findTool: async () => '/bin/x', signal: controller.signal, nowMs: () => (t += 1000) });

    expect(report.entries.map((e) => [e.id, e.status, e.interrupted])).toEqual([
      ['whole', 'measured', undefined],
      ['cut', 'failed', true],
      ['after', 'skipped', undefined],
    ]);
    expect(report.interrupted).toBe(true);
    expect(calls).toContain('cut:closed');
    expect(calls.some((c) => c.startsWith('after'))).toBe(false);
    expect(renderTable(report)).toContain('interrupted (partial; the README tables skip the entry it cut)');
  });

  test('a run that was not interrupted carries no mark', async () => {
    const report = await runFixture([]);

    expect(report.interrupted).toBeUndefined();
    expect(report.entries.every((e) => e.interrupted === undefined)).toBe(true);
    expect(renderTable(report)).not.toContain('interrupted');
  });
});

describe('reference tool output parsers', () => {
  test('reads rate and percentiles from sockperf ping-pong output', () => {
    const text = [
      'sockperf: [Valid Duration] RunTime=0.556 sec; SentMessages=10211; ReceivedMessages=10000',
      'sockperf: ---> percentile 99.000 =  897.685',
      'sockperf: ---> percentile 50.000 =   18.024',
    ].join('\n');

    const figure = parseSockperf(text);

    expect(figure.value).toBeCloseTo(10000 / 0.556, 6);
    expect(figure.detail).toEqual({ p50Us: 18.024, p99Us: 897.685 });
  });

  test('reads rate, percentiles and errors from wrk --latency output', () => {
    const text = [
      '  Latency Distribution',
      '     50%  444.00us',
      '     99%    1.23ms',
      '  Socket errors: connect 0, read 2, write 0, timeout 1',
      'Requests/sec:  18710.12',
    ].join('\n');

    expect(parseWrk(text)).toEqual({ value: 18710.12, detail: { p50Us: 444, p99Us: 1230, errors: 3 } });
  });

  test('rejects output it cannot read instead of inventing a figure', () => {
    expect(() => parseSockperf('nothing here')).toThrow(/unexpected sockperf output/);
    expect(() => parseWrk('nothing here')).toThrow(/unexpected wrk output/);
  });
});

describe('the shipped suite', () => {
  test('names every entry of issues #3-#6 once', async () => {
    const { suite } = await import('../../bench/suite.js');

    const ids = suite.map((e) => e.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['direct-ping-pong', 'relay-ping-pong', 'relay-bulk', 'setup-truth', 'http', 'scale', 'connection-setup', 'relay-emulator-ws', 'relay-emulator-script', 'generator-capacity']),
    );
  });

  test('skips the real sockperf and wrk entries, with the tool named, when the lookup finds nothing', async () => {
    const { suite } = await import('../../bench/suite.js');
    const needTools = suite.filter((e) => e.requires.length > 0);
    const looked: string[] = [];

    const report = await runSuite(needTools, {
      findTool: async (name) => {
        looked.push(name);
        return undefined;
      },
    });

    expect(needTools.map((e) => e.id)).toEqual(expect.arrayContaining(['direct-ping-pong', 'http']));
    expect(looked).toEqual(expect.arrayContaining(['sockperf', 'wrk']));
    for (const e of report.entries) {
      expect(e.status).toBe('skipped');
      expect(e.status === 'skipped' ? e.reason : '').toMatch(/reference tool not found on PATH: (sockperf|wrk)/);
    }
    expect(renderTable(report)).toMatch(/direct-ping-pong.*skipped: reference tool not found on PATH: sockperf/);
  });
});

describe("R's relay emulator script output", () => {
  test('becomes the relayed and plain figures with the cost per message and delay lines', async () => {
    const { parseRelayEmulatorOutput } = await import('../../bench/entries/relay-emulator-script.js');
    const text = [
      'path                                  RT/s   p50 µs   p90 µs   p99 µs',
      'plain ws echo                         6582       81      222     1024',
      'through the relay emulator            2037      309      708     3758',
      'emulator cost per bridged message (p50, 2 per round trip): 114 µs',
      '     2 ms/leg: expected +8000 µs, measured p50 +8681 µs (error 681 µs), p99 29480 µs',
    ].join('\n');

    const { relayed, plain } = parseRelayEmulatorOutput(text);

    expect(plain).toEqual({ value: 6582, detail: { p50Us: 81, p99Us: 1024 } });
    expect(relayed.value).toBe(2037);
    expect(relayed.detail).toEqual({ p50Us: 309, p99Us: 3758, costPerBridgedMessageUs: 114 });
    expect(relayed.notes).toEqual(['2 ms/leg: expected +8000 µs, measured p50 +8681 µs (error 681 µs)']);
    expect(() => parseRelayEmulatorOutput('changed format')).toThrow(/unexpected bench\/relay-emulator.ts output/);
  });
});

describe('bench table with calibration', () => {
  test('prints the noise floor and the injected-delay errors under the table', async () => {
    const calls: string[] = [];
    const report = await runFixture(calls);
    const withCalibration: BenchReport = {
      ...report,
      calibration: {
        calibrationVersion: 1,
        measuredAt: '2026-11-29T10:00:00.000Z',
        durationMs: 1,
        noiseFloor: {
          timer: { hrtimeResolutionNs: 40, setTimeoutLateness: { count: 1, p50Us: 1, p99Us: 1, maxUs: 1 } },
          eventLoopDelay: { count: 1, p50Us: 5, p99Us: 77, maxUs: 90 },
          loopbackRtt: { count: 1, p50Us: 45, p99Us: 99, maxUs: 120 },
        },
        delays: [
          { mechanism: 'direct-delay-proxy', injectedMs: 1, traversalsPerRoundTrip: 2, samples: 1, measuredPerLegUs: 1100, errorUs: 100, errorPercent: 10, floorErrorUs: 5 },
          { mechanism: 'relay-legs', injectedMs: 5, traversalsPerRoundTrip: 4, samples: 1, measuredPerLegUs: 5100, errorUs: 100, errorPercent: 2, floorErrorUs: 5 },
        ],
        resolution: { windows: 5, roundTripsPerWindow: 100, windowMedianStdDevUs: 1, resolvableDifferenceUs: 2.8 },
        isDelayAccuracyWithinBound: true,
      },
    };

    const table = renderTable(withCalibration);

    expect(table).toContain('noise floor: loopback RTT p50 45 µs / p99 99 µs, idle event-loop delay p99 77 µs, resolvable p50 difference 2.8 µs');
    expect(table).toContain('relay-legs 5 ms 2.0%');
    expect(table).not.toContain('direct-delay-proxy 1 ms');
  });
});
