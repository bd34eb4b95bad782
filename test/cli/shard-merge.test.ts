// Sharded runs end to end: N = 1, 2 and 4 shards of one scenario started as separate
// `hcbench run --shard I/N` processes with one `--start-at` (N = 2 measuring its clock against a
// `--clock-serve` shard, N = 4 on the host's shared clock), then `hcbench merge`: totals are the
// shards' sums, histograms the HDR sums bucket for bucket, the merged p50 agrees with the 1-shard
// run within both statistics' trusted tolerances (analysis/statistic-trust.ts), the merged result
// reads like any result (report, compare, thresholds), and mismatched shards are refused.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import type { RunResult, StepMetrics } from '../../src/metrics/result.js';
import { createLatencyHistogram, decodeRecord } from '../../src/metrics/histogram.js';
import { toleranceUs } from '../../src/analysis/statistic-trust.js';
import { runCli } from '../helpers/cli.js';
import { spawnCli, type CliChild } from '../helpers/cli-child.js';

// 20 ms each way: a 40 ms round trip whose p50 a loaded generator still measures within tolerance.
const SCENARIO = `
name: shard-e2e
description: one chatty workload on a direct path with a fixed distance
network: { description: fixed distance, direct: { oneWayDelayMs: 20 } }
target: { kind: tcp-request-response }
paths: [{ kind: direct }]
workload: { id: chat, kind: tcp-request-response, connections: 3, roundTripsPerTransaction: 2, requestBytes: 100, responseBytes: 300 }
durationMs: 2000
warmupMs: 500
thresholds: [direct.transactions > 0, direct.transaction.p99 < 60s]
`;

/** Lead of --start-at: every process (2 per shard, 7 shards on a shared 2-core machine) must be up by then. */
const LEAD_MS = 25_000;

let dir = '';
const started: CliChild[] = [];
const results = new Map<string, RunResult>();
const file = (n: number, i: number): string => join(dir, `shard-${i}-of-${n}.json`);

async function finished(child: CliChild, label: string): Promise<RunResult> {
  const { code } = await child.exited;
  // 7 = the run measured but its generator marked a statistic untrusted (results written): still a shard result.
  if (code !== ExitCode.Ok && code !== ExitCode.InvalidRun) throw new Error(`${label} exited ${code}:\n${child.stderr()}`);
  const result = JSON.parse(child.stdout()) as RunResult;
  results.set(label, result);
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-shard-'));
  await writeFile(join(dir, 'shard.yaml'), SCENARIO);
  const startAt = new Date(Date.now() + LEAD_MS).toISOString();
  const run = (n: number, i: number, extra: string[] = []): CliChild => {
    const child = spawnCli(['run', join(dir, 'shard.yaml'), '--shard', `${i}/${n}`, '--start-at', startAt, '--json', '--no-save', ...extra]);
    started.push(child);
    return child;
  };
  const server = run(2, 1, ['--clock-serve', '127.0.0.1:0']);
  const served = await server.waitForStderr(/serving the reference clock on (\S+)/, LEAD_MS);
  const address = /serving the reference clock on (\S+)/.exec(served)?.[1] ?? '';
  const children = new Map<string, CliChild>([
    ['2/2', run(2, 2, ['--clock-ref', address])],
    ['1/1', run(1, 1)],
    ...[1, 2, 3, 4].map((i): [string, CliChild] => [`${i}/4`, run(4, i)]),
  ]);
  const all = [['1/2', server] as const, ...children.entries()];
  await Promise.all(all.map(async ([label, child]) => writeFile(file(Number(label.split('/')[1]), Number(label.split('/')[0])), JSON.stringify(await finished(child, label)))));
}, LEAD_MS + 60_000);

afterAll(async () => {
  // A failed setup leaves shards running: Ctrl-C each of ours (they write partial results and stop their roles).
  for (const child of started) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGINT');
  await Promise.all(started.map((child) => child.exited));
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function merge(files: string[], extra: string[] = []): Promise<{ exitCode: number; stderr: string; stdout: string; merged?: RunResult }> {
  const out = join(dir, `merged-${Math.random().toString(36).slice(2)}.json`);
  const run = await runCli(['merge', ...files, '--out', out, ...extra], { cwd: dir });
  const merged = run.exitCode === ExitCode.Ok || run.exitCode === ExitCode.ThresholdsFailed ? (JSON.parse(await readFile(out, 'utf8')) as RunResult) : undefined;
  return { ...run, ...(merged === undefined ? {} : { merged }) };
}

function metricsOf(result: RunResult): StepMetrics {
  const step = result.steps[0];
  if (step === undefined || step.status === 'failed') throw new Error(`no measured step in ${result.scenario.name}`);
  return step.metrics;
}

function bucketsOf(encoded: string): string {
  const h = hdr.decodeFromCompressedBase64(encoded, 64, false);
  const text = h.outputPercentileDistribution(1, 1, false);
  h.destroy();
  return text;
}

describe.each([1, 2, 4])('%i shard(s) merged', (n) => {
  const shardFiles = (): string[] => Array.from({ length: n }, (_, i) => file(n, i + 1));
  const shards = (): RunResult[] => Array.from({ length: n }, (_, i) => results.get(`${i + 1}/${n}`) as RunResult);

  test('totals are the sums of the shards, histograms the HDR sums bucket for bucket', async () => {
    const { exitCode, stderr, merged } = await merge(shardFiles());
    expect(exitCode, stderr).toBe(ExitCode.Ok);
    const m = metricsOf(merged as RunResult);
    const parts = shards().map(metricsOf);
    for (const key of ['transactions', 'roundTrips', 'bytesSent', 'bytesReceived', 'connectionsOpened'] as const) {
      expect(m.counters[key]).toBe(parts.reduce((a, p) => a + p.counters[key], 0));
    }
    expect(m.counters.transactions).toBeGreaterThan(0);
    expect(m.counters.bytesSent).toBe(m.counters.roundTrips * 100);
    for (const name of ['roundTrip', 'transaction', 'connect'] as const) {
      const sum = createLatencyHistogram();
      for (const p of parts) {
        const h = decodeRecord(p.histograms[name]);
        sum.add(h);
        h.destroy();
      }
      expect(m.histograms[name].summary.count).toBe(sum.totalCount);
      expect(bucketsOf(m.histograms[name].encoded)).toBe(sum.outputPercentileDistribution(1, 1, false));
      sum.destroy();
    }
    const intervalCount = (metrics: StepMetrics): number => (metrics.intervals ?? []).reduce((a, i) => a + hdr.decodeFromCompressedBase64(i.roundTrip, 64, false).totalCount, 0);
    expect(intervalCount(m)).toBe(parts.reduce((a, p) => a + intervalCount(p), 0));
    // Interval by interval: the HDR sum of the shards' intervals at the same time on the reference clock (1 s grid).
    const starts = merged?.merge?.shards.map((s) => s.windowStartsMs[0] ?? 0) ?? [];
    const expected = new Map<number, ReturnType<typeof createLatencyHistogram>>();
    for (const [k, p] of parts.entries()) {
      for (const interval of p.intervals ?? []) {
        const at = Math.max(0, Math.round((interval.startMs + (starts[k] ?? 0) - (starts[0] ?? 0)) / 1000) * 1000);
        const sum = expected.get(at) ?? createLatencyHistogram();
        sum.add(hdr.decodeFromCompressedBase64(interval.roundTrip, 64, false));
        expected.set(at, sum);
      }
    }
    expect((m.intervals ?? []).map((i) => i.startMs)).toEqual([...expected.keys()].sort((a, b) => a - b));
    for (const interval of m.intervals ?? []) expect(bucketsOf(interval.roundTrip)).toBe(expected.get(interval.startMs)?.outputPercentileDistribution(1, 1, false));
    // Each connection's slice of the load: the whole scenario's 3 connections, over the shards that had any.
    expect(shards().map((s) => (s.steps[0]?.workload as { connections?: number }).connections ?? 0).reduce((a, b) => a + b, 0)).toBe(3);
    expect(merged?.steps[0]?.workload).toMatchObject({ connections: 3 });
    expect(merged?.merge).toMatchObject({ count: n, partial: false, missing: [] });
    expect(merged?.merge?.shards.map((s) => s.index)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The scenario's thresholds judged on the merged figures.
    expect(merged?.thresholds?.find((v) => v.threshold.startsWith('direct.transactions'))?.observed).toBe(m.counters.transactions);
  });
}, 60_000);

describe('a merged result', () => {
  test('its p50 agrees with the 1-shard run within both statistics\' trusted tolerances', async () => {
    const single = metricsOf(results.get('1/1') as RunResult);
    const { merged } = await merge([1, 2, 3, 4].map((i) => file(4, i)));
    const m = metricsOf(merged as RunResult);
    for (const metrics of [single, m]) {
      // A statistic the generator's measured noise spoils has no tolerance to compare within.
      expect(metrics.generator?.untrusted ?? []).not.toContain('roundTrip.p50');
    }
    const a = single.histograms.roundTrip.summary.p50Us;
    const b = m.histograms.roundTrip.summary.p50Us;
    expect(Math.abs(a - b)).toBeLessThanOrEqual(toleranceUs(a) + toleranceUs(b));
    // And both sit above the configured 40 ms round trip (the emulated distance is a floor).
    expect(Math.min(a, b)).toBeGreaterThanOrEqual(40_000);
  });

  test('reads like any result: report, compare and thresholds run on it unchanged', async () => {
    const out = join(dir, 'merged-4.json');
    expect((await runCli(['merge', ...[1, 2, 3, 4].map((i) => file(4, i)), '--out', out], { cwd: dir })).exitCode).toBe(ExitCode.Ok);
    const console = await runCli(['report', out]);
    expect(console.exitCode).toBe(ExitCode.Ok);
    expect(console.stdout).toMatch(/merged from 4 shards, windows aligned within \d+\.\d ms/);
    expect(console.stdout).toContain('shard 4 (completed');
    const md = await runCli(['report', out, '--format', 'md']);
    expect(md.stdout).toContain('> **merged from 4 shards');
    // compare: the merged result against itself is unchanged, and against the 1-shard run comparable.
    expect((await runCli(['compare', out, out])).exitCode).toBe(ExitCode.Ok);
    const versus = await runCli(['compare', file(1, 1), out, '--json']);
    expect(versus.exitCode, versus.stdout + versus.stderr).not.toBe(ExitCode.Incomparable);
    const report = JSON.parse(versus.stdout) as { isComparable: boolean; metrics: { metric: string }[] };
    expect(report.isComparable).toBe(true);
    expect(report.metrics.map((row) => row.metric)).toContain('chat@direct roundTrip.p50');
    // A threshold the merged p50 must fail (the distance alone is 40 ms): exit 6 with the merged figure.
    const strict = structuredClone(results.get('1/2') as RunResult);
    const other = structuredClone(results.get('2/2') as RunResult);
    for (const r of [strict, other]) (r.scenario.resolved as { thresholds: string[] }).thresholds = ['direct.roundTrip.p50 < 1ms'];
    await writeFile(join(dir, 'strict-1.json'), JSON.stringify(strict));
    await writeFile(join(dir, 'strict-2.json'), JSON.stringify(other));
    const gated = await merge([join(dir, 'strict-1.json'), join(dir, 'strict-2.json')]);
    expect(gated.exitCode).toBe(ExitCode.ThresholdsFailed);
    const verdict = gated.merged?.thresholds?.[0];
    expect(verdict?.status).toBe('failed');
    expect(verdict?.observed).toBe(metricsOf(gated.merged as RunResult).histograms.roundTrip.summary.p50Us);
  });
});

describe('clocks', () => {
  test('the N = 2 shards share shard 1\'s served clock, measured within its uncertainty; N = 4 share the host\'s', () => {
    const server = results.get('1/2')?.shard?.clock;
    const measured = results.get('2/2')?.shard?.clock;
    expect(server).toMatchObject({ method: 'same-host', offsetMs: 0, uncertaintyMs: 0 });
    expect(server?.reference).toMatch(/^clock-server [0-9a-f]{16}$/);
    expect(measured).toMatchObject({ method: 'exchange', reference: server?.reference, exchanges: 32 });
    // One machine, one clock: the true offset is 0, so the measured one lies within its bound (+1 ms for timeOrigin rounding).
    expect(Math.abs(measured?.offsetMs ?? Infinity)).toBeLessThanOrEqual((measured?.uncertaintyMs ?? 0) + 1);
    const host = [1, 2, 3, 4].map((i) => results.get(`${i}/4`)?.shard?.clock.reference);
    expect(new Set(host).size).toBe(1);
    expect(host[0]).toMatch(/^host /);
  });
});

describe('merge refuses what does not add up', () => {
  async function edited(label: string, name: string, edit: (r: RunResult) => void): Promise<string> {
    const copy = structuredClone(results.get(label) as RunResult);
    edit(copy);
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(copy));
    return path;
  }

  test.each([
    ['shards of runs with different N', () => [file(2, 1), file(4, 2)], 'ERR_SHARD_MISMATCH', /the shard count N differs/],
    ['a shard given twice', () => [file(2, 1), file(2, 1)], 'ERR_SHARD_OVERLAP', /are both shard 1: a shard is counted once/],
    ['missing shards', () => [file(4, 1), file(4, 3)], 'ERR_SHARD_MISSING', /shards 2, 4 of 4 missing/],
    ['a result that is no shard', () => [fileURLToPath(new URL('../fixtures/results/quickstart-run.json', import.meta.url))], 'ERR_SHARD_MISMATCH', /is not a shard result/],
  ])('%s: exit 9 with the reason', async (_what, files, code, message) => {
    const run = await merge(files());
    expect(run.exitCode).toBe(ExitCode.Incomparable);
    expect(run.stderr).toContain(`error[${code}]`);
    expect(run.stderr).toMatch(message);
  });

  test('another scenario, another plan fingerprint, another clock reference: exit 9 each', async () => {
    const name = await edited('2/2', 'renamed.json', (r) => (r.scenario.name = 'another'));
    const plan = await edited('2/2', 'replanned.json', (r) => r.shard && (r.shard.fingerprint = '0'.repeat(64)));
    // A shard on its host's clock next to shards on a served clock: the offset between the two is unknown.
    const clock = await edited('2/2', 'reclocked.json', (r) => r.shard && (r.shard.clock.reference = 'host elsewhere'));
    for (const [path, code, message] of [
      [name, 'ERR_SHARD_MISMATCH', /the scenario differs/],
      [plan, 'ERR_SHARD_MISMATCH', /the plan fingerprint/],
      [clock, 'ERR_SHARD_CLOCK', /different references/],
    ] as const) {
      const run = await merge([file(2, 1), path]);
      expect(run.exitCode).toBe(ExitCode.Incomparable);
      expect(run.stderr).toContain(`error[${code}]`);
      expect(run.stderr).toMatch(message);
    }
  });

  test('shards of two hosts\' own clocks merge, marked unmeasured in the result and its report', async () => {
    const elsewhere = await edited('2/4', 'elsewhere.json', (r) => r.shard && (r.shard.clock.reference = 'host another-machine'));
    const run = await merge([file(4, 1), elsewhere, file(4, 3), file(4, 4)]);
    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    expect(run.merged?.merge?.clockNote).toMatch(/^clocks of 2 hosts not measured against each other/);
    const out = join(dir, 'unmeasured.json');
    await writeFile(out, JSON.stringify(run.merged));
    expect((await runCli(['report', out])).stdout).toContain('CLOCKS UNMEASURED: clocks of 2 hosts');
  });

  test('windows further apart than the step\'s resolution (a clock 1.5 s off): exit 9', async () => {
    const late = await edited('2/2', 'late.json', (r) => r.shard && (r.shard.clock.offsetMs += 1500));
    const run = await merge([file(2, 1), late]);
    expect(run.exitCode).toBe(ExitCode.Incomparable);
    expect(run.stderr).toMatch(/error\[ERR_SHARD_CLOCK\]: step chat@direct: the measured windows of shards 1 and 2 start 15\d\d\.\d ms apart .* more than the step's resolution of 1000 ms/);
  });

  test('--allow-partial merges what there is, marked partial in the result and its reports', async () => {
    const run = await merge([file(4, 1), file(4, 2), file(4, 3)], ['--allow-partial']);
    expect(run.exitCode).toBe(ExitCode.Ok);
    expect(run.merged?.merge).toMatchObject({ partial: true, missing: [4], count: 4 });
    const out = join(dir, 'partial.json');
    await writeFile(out, JSON.stringify(run.merged));
    expect((await runCli(['report', out])).stdout).toContain('PARTIAL MERGE: 3 of 4 shards, shard 4 missing');
    expect((await runCli(['report', out, '--format', 'md'])).stdout).toContain('PARTIAL MERGE');
  });

  test.each([
    ['garbage', 'AAAA'],
    ['another HDR layout', hdr.encodeIntoCompressedBase64(hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1000, numberOfSignificantValueDigits: 2 }))],
    // The V2 compressed cookie and a consistent length around bytes that are no deflate stream.
    ['not deflate inside', Buffer.from([0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]).toString('base64')],
  ])('a shard whose interval histogram is %s: exit 2 naming the file and the step', async (_what, encoded) => {
    const damaged = await edited('2/2', 'damaged.json', (r) => {
      const step = r.steps[0];
      if (step !== undefined && step.status !== 'failed' && step.metrics.intervals?.[0] !== undefined) step.metrics.intervals[0].roundTrip = encoded;
    });
    const run = await merge([file(2, 1), damaged]);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/damaged\.json: steps\.0 \(chat@direct\): a histogram/);
  });

  test('a file that is no result: exit 2 naming it', async () => {
    await writeFile(join(dir, 'garbage.json'), '{"not": "a result"');
    const run = await merge([file(2, 1), join(dir, 'garbage.json')]);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('garbage.json');
  });
});

describe('run refuses bad sharding flags with exit 2 before any process starts', () => {
  test.each([
    [['--shard', '5/4'], /--shard.*1 <= I <= N <= 1024/],
    [['--shard', '1/2', '--start-at', '2020-01-01T00:00:00Z'], /--start-at 2020-01-01T00:00:00.000Z is \d+ ms in the past/],
    [['--shard', '1/2', '--start-at', '2999-01-01T00:00:00Z'], /is more than 24 h ahead/],
  ])('%j', async (flags, message) => {
    const run = await runCli(['run', join(dir, 'shard.yaml'), ...flags, '--no-save']);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/starting paths/);
  });
});
