// `hcbench run --out prometheus-rw=URL` end to end, in-process, against real receivers on
// 127.0.0.1: the last sample of every step's series equals the step's own result (counters,
// latency quantiles in seconds), labels name the step, path and run, and the relay path's
// component counters arrive. A receiver that fails, or stops mid-run, changes nothing about the
// run: same exit code, complete results, and a warning naming the dropped samples.

import { invalidRunReasons } from '../../src/analysis/run-validity.js';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';
import { startReceiver, type ReceivedSample, type Receiver } from '../helpers/remote-write-receiver.js';

const scenario = `name: live-export
network: same-region
target: { kind: tcp-request-response }
paths: [{ kind: direct }, { kind: relay-emulated }]
workload: { kind: tcp-request-response, connections: 1, roundTripsPerTransaction: 2 }
durationMs: 2300
warmupMs: 200
output: { tags: { team: perf } }
`;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-remote-write-'));
  await writeFile(join(dir, 'scenario.yaml'), scenario);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runWith(url: string, resultsDir: string): Promise<{ exitCode: ExitCode; stderr: string; result: RunResult }> {
  const run = await runCli(['run', join(dir, 'scenario.yaml'), '--out', `prometheus-rw=${url}`, '--tag', 'commit=abc123', '--results-dir', resultsDir, '--json'], { cwd: dir });
  const [folder] = await readdir(join(dir, resultsDir));
  const result = JSON.parse(await readFile(join(dir, resultsDir, folder!, 'summary.json'), 'utf8')) as RunResult;
  return { exitCode: run.exitCode, stderr: run.stderr, result };
}

/**
 * The exit code the run earns by itself, computed from its saved result: 7 exactly when a statistic
 * the verdict reads is untrusted (the scenario has no thresholds), else 0. Remote write must never change it.
 */
function ownExitCode(result: RunResult): ExitCode {
  return invalidRunReasons(result).length > 0 ? ExitCode.InvalidRun : ExitCode.Ok;
}

/** The last sample (by timestamp) of the series with `name` and these labels. */
function last(samples: readonly ReceivedSample[], name: string, labels: Record<string, string>): ReceivedSample | undefined {
  const matching = samples.filter((s) => s.labels['__name__'] === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.sort((a, b) => a.timestampMs - b.timestampMs).at(-1);
}

describe('hcbench run --out prometheus-rw=URL', () => {
  let receiver: Receiver;
  afterAll(() => receiver?.close());

  test('every step sends its series; the last samples equal the saved result', async () => {
    receiver = await startReceiver();
    const { exitCode, result, stderr } = await runWith(receiver.url, 'ok');

    expect(exitCode).toBe(ownExitCode(result));
    expect(result.remoteWrite).toMatchObject({ samplesDropped: 0, failedRequests: 0 });
    expect(result.remoteWrite?.samplesSent).toBe(receiver.samples.length);
    expect(stderr).toContain(`prometheus-rw: ${receiver.samples.length} samples sent`);
    const runId = result.remoteWrite!.runId;
    expect(result.steps).toHaveLength(2);
    for (const step of result.steps) {
      if (step.status !== 'completed') throw new Error(`step ${step.stepId} ${step.status}`);
      const labels = { step: step.stepId, path: step.pathId, path_kind: step.pathKind, repetition: '0', run_id: runId, scenario: 'live-export', team: 'perf', commit: 'abc123' };
      const { counters, histograms } = step.metrics;
      expect(counters.transactions).toBeGreaterThan(0);
      expect(last(receiver.samples, 'hcbench_transactions_total', labels)?.value).toBe(counters.transactions);
      expect(last(receiver.samples, 'hcbench_round_trips_total', labels)?.value).toBe(counters.roundTrips);
      expect(last(receiver.samples, 'hcbench_bytes_received_total', labels)?.value).toBe(counters.bytesReceived);
      expect(last(receiver.samples, 'hcbench_round_trip_seconds', { ...labels, quantile: '0.99' })?.value).toBe(histograms.roundTrip.summary.p99Us / 1e6);
      expect(last(receiver.samples, 'hcbench_transaction_seconds', { ...labels, quantile: '1' })?.value).toBe(histograms.transaction.summary.maxUs / 1e6);
      expect(last(receiver.samples, 'hcbench_round_trip_seconds_count', labels)?.value).toBe(histograms.roundTrip.summary.count);
      // Live samples came during the step, not only at its end: counters never decrease.
      const live = receiver.samples.filter((s) => s.labels['__name__'] === 'hcbench_transactions_total' && s.labels['step'] === step.stepId && s.labels['run_id'] === runId);
      expect(live.length).toBeGreaterThanOrEqual(2);
      const values = live.sort((a, b) => a.timestampMs - b.timestampMs).map((s) => s.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    const relayPath = result.steps.find((s) => s.pathKind === 'relay-emulated')!.pathId;
    const bridges = last(receiver.samples, 'hcbench_path_counter', { path: relayPath, component: 'relay', counter: 'bridgesTotal', run_id: runId });
    expect(bridges?.value).toBe((result.pathCounters?.[relayPath]?.['relay'] as Record<string, number>)['bridgesTotal']);
  }, 60_000);

  test('a receiver answering 500: the run exits as without it, drops counted and named', async () => {
    const failing = await startReceiver('fail');
    try {
      const { exitCode, result, stderr } = await runWith(failing.url, 'fail');

      expect(exitCode).toBe(ownExitCode(result));
      expect(result.steps.every((s) => s.status === 'completed' && s.metrics.counters.transactions > 0)).toBe(true);
      expect(result.remoteWrite).toMatchObject({ samplesSent: 0, lastError: 'HTTP 500: receiver says no' });
      expect(result.remoteWrite!.samplesDropped).toBeGreaterThan(0);
      expect(stderr).toContain(`warning: prometheus-rw: ${result.remoteWrite!.samplesDropped} samples dropped`);
    } finally {
      await failing.close();
    }
  }, 60_000);

  test('a receiver stopped mid-run: no run data lost, exit 0, the dropped samples named', async () => {
    const stopping = await startReceiver();
    let stopped: Promise<void> | undefined;
    const stopAfterFirst = setInterval(() => {
      if (stopping.samples.length > 0 && stopped === undefined) stopped = stopping.close();
    }, 20);
    try {
      const { exitCode, result, stderr } = await runWith(stopping.url, 'stop');

      expect(stopped).toBeDefined();
      expect(exitCode).toBe(ownExitCode(result));
      expect(result.steps.every((s) => s.status === 'completed' && s.metrics.counters.transactions > 0)).toBe(true);
      expect(result.remoteWrite!.samplesSent).toBe(stopping.samples.length);
      expect(result.remoteWrite!.samplesDropped).toBeGreaterThan(0);
      expect(stderr).toMatch(/warning: prometheus-rw: \d+ samples dropped/);
    } finally {
      clearInterval(stopAfterFirst);
      await (stopped ?? stopping.close());
    }
  }, 60_000);
});

describe('bad --out and --tag', () => {
  test('a scenario tag that hcbench sets itself is refused, naming the file and key', async () => {
    await writeFile(join(dir, 'bad-tag.yaml'), scenario.replace('team: perf', 'step: mine'));
    const run = await runCli(['run', join(dir, 'bad-tag.yaml'), '--no-save'], { cwd: dir });

    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/bad-tag\.yaml: output\.tags\.step: label step is set by hcbench itself/);
  });

  test('a scenario URL asking for an unknown histogram form is refused, naming the file, line and key', async () => {
    await writeFile(join(dir, 'bad-form.yaml'), scenario.replace('output: { tags: { team: perf } }', 'output: { prometheusRemoteWrite: "http://127.0.0.1:9/api/v1/write?histograms=classic" }'));
    const run = await runCli(['run', join(dir, 'bad-form.yaml'), '--no-save'], { cwd: dir });

    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
    expect(run.stderr).toMatch(/bad-form\.yaml:\d+:\d+ output\.prometheusRemoteWrite: histograms= must be native or summary/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test.each([
    [['--out', 'influx=http://x'], /must be prometheus-rw=<URL>/],
    [['--out', 'prometheus-rw=ftp://x/y'], /needs an http:\/\/ or https:\/\/ URL/],
    [['--out', 'prometheus-rw=http://127.0.0.1:9/api/v1/write?histograms=dense'], /histograms= must be native or summary, got "dense"/],
    [['--tag', '1abc=x'], /must be name=value/],
    [['--tag', 'run_id=x'], /label run_id is set by hcbench itself/],
  ])('%s is refused with a usage error', async (args, message) => {
    const run = await runCli(['run', join(dir, 'scenario.yaml'), '--no-save', ...args], { cwd: dir });

    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
