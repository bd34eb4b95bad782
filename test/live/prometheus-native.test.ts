// Live export into a real Prometheus (Debian's package) started with native histograms enabled:
// `?histograms=native` sends latencies as native histograms, and PromQL reads back the run's own
// figures (histogram_count and histogram_sum exactly, histogram_quantile within the schema's stated
// bucket error). And a step on two generator threads sends its figures every interval, merged from
// the threads, not only at its end. And `hcbench capacity --out prometheus-rw=URL` sends every
// probe's step, told apart by `probe` and `offered_rate`. Skipped with the reason where Prometheus
// is not installed.

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NATIVE_RELATIVE_ERROR } from '../../src/live/native-histogram.js';
import { decodeRecord } from '../../src/metrics/histogram.js';
import type { CapacityReport } from '../../src/capacity/types.js';
import type { HistogramRecord, RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';
import { spawnCli } from '../helpers/cli-child.js';
import { PROMETHEUS_SKIP_REASON, startPrometheus, type StartedPrometheus } from '../helpers/prometheus.js';

const scenario = (name: string, paths: string, workload: string, durationMs: number) => `name: ${name}
network: same-region
target: { kind: tcp-request-response }
paths: ${paths}
workload: { kind: tcp-request-response, ${workload} }
durationMs: ${durationMs}
warmupMs: 200
`;

async function run(dir: string, name: string, url: string): Promise<{ stderr: string; result: RunResult }> {
  const cli = await runCli(['run', join(dir, `${name}.yaml`), '--out', `prometheus-rw=${url}`, '--results-dir', name, '--json'], { cwd: dir });
  const [folder] = await readdir(join(dir, name));
  return { stderr: cli.stderr, result: JSON.parse(await readFile(join(dir, name, folder!, 'summary.json'), 'utf8')) as RunResult };
}

/** HDR's sum of a saved histogram in seconds, computed as hcbench computes the native `sum`. */
function hdrSumSeconds(record: HistogramRecord): number {
  const h = decodeRecord(record);
  const sum = h.totalCount === 0 ? 0 : (h.mean * h.totalCount) / 1e6;
  h.destroy();
  return sum;
}

if (PROMETHEUS_SKIP_REASON !== undefined) {
  describe('native histograms and generator intervals into a real Prometheus', () => {
    test.skip(`skipped: ${PROMETHEUS_SKIP_REASON}`, () => undefined);
  });
} else {
  describe('native histograms and generator intervals into a real Prometheus', () => {
    let prometheus: StartedPrometheus | undefined;
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hcbench-prom-native-'));
      await writeFile(join(dir, 'prom-native.yaml'), scenario('prom-native', '[{ kind: direct }, { kind: relay-emulated }]', 'connections: 1, roundTripsPerTransaction: 2', 2300));
      // The threads boot while the warm-up runs (the window starts before them): 2 s of it keeps a loaded machine's slow boot out of the window.
      await writeFile(join(dir, 'prom-threads.yaml'), scenario('prom-threads', '[{ kind: direct }]', 'connections: 2, generators: 2', 4000).replace('warmupMs: 200', 'warmupMs: 2000'));
      await writeFile(join(dir, 'prom-capacity.yaml'), scenario('prom-capacity', '[{ kind: direct }, { kind: relay-emulated }]', 'connections: 2', 1000));
      prometheus = await startPrometheus(30_000, ['native-histograms']);
    }, 40_000);
    afterAll(async () => {
      await prometheus?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('?histograms=native: count and sum exact, p50 and p99 within the stated bucket error', async () => {
      const { stderr, result } = await run(dir, 'prom-native', `${prometheus!.writeUrl}?histograms=native`);

      expect(result.remoteWrite, stderr).toMatchObject({ samplesDropped: 0, url: prometheus!.writeUrl });
      const runId = result.remoteWrite!.runId;
      expect(result.steps).toHaveLength(2);
      for (const step of result.steps) {
        if (step.status !== 'completed') throw new Error(`step ${step.stepId} ${step.status}`);
        for (const [key, name] of [['roundTrip', 'hcbench_round_trip_seconds'], ['transaction', 'hcbench_transaction_seconds']] as const) {
          const record = step.metrics.histograms[key];
          const series = `${name}{run_id="${runId}",step="${step.stepId}"}`;
          expect(record.summary.count).toBeGreaterThan(0);
          const [count] = await prometheus!.query(`histogram_count(${series})`);
          expect(Number(count?.value[1]), series).toBe(record.summary.count);
          const [sum] = await prometheus!.query(`histogram_sum(${series})`);
          expect(Number(sum?.value[1]), series).toBe(hdrSumSeconds(record));
          for (const [q, own] of [['0.5', record.summary.p50Us], ['0.99', record.summary.p99Us]] as const) {
            const [estimate] = await prometheus!.query(`histogram_quantile(${q}, ${series})`);
            const seconds = Number(estimate?.value[1]);
            expect(Math.abs(seconds - own / 1e6), `${series} q${q}: ${seconds} s vs own ${own} µs`).toBeLessThanOrEqual((own / 1e6) * NATIVE_RELATIVE_ERROR);
          }
        }
        // Native mode sends the histogram instead of the summary's quantile series.
        expect(await prometheus!.query(`hcbench_round_trip_seconds{run_id="${runId}",quantile!=""}`)).toEqual([]);
      }
    }, 60_000);

    test('generators: 2 sends merged samples every interval during the step, not only at its end', async () => {
      // The built CLI in a child process: its worker threads start from compiled JS, not through tsx.
      const child = spawnCli(['run', join(dir, 'prom-threads.yaml'), '--out', `prometheus-rw=${prometheus!.writeUrl}`, '--results-dir', join(dir, 'prom-threads'), '--json']);
      const stderr = await child.waitForStderr(/prometheus-rw: /, 50_000);
      await child.exited;
      const [folder] = await readdir(join(dir, 'prom-threads'));
      const result = JSON.parse(await readFile(join(dir, 'prom-threads', folder!, 'summary.json'), 'utf8')) as RunResult;

      expect(result.remoteWrite, stderr).toMatchObject({ samplesDropped: 0 });
      const runId = result.remoteWrite!.runId;
      const [step] = result.steps;
      if (step?.status !== 'completed') throw new Error(`step ${step?.stepId} ${step?.status}`);
      expect(step.metrics.generator?.generators).toBe(2);
      // A range selector returns every stored sample of the series, with its timestamp.
      const series = await prometheus!.query(`hcbench_transactions_total{run_id="${runId}",step="${step.stepId}"}[1h]`);
      const values = ((series[0] as unknown as { values?: [number, string][] } | undefined)?.values ?? []).map(([at, v]) => ({ at, value: Number(v) }));
      const intervals = values.slice(0, -1);
      expect(intervals.length, JSON.stringify(values)).toBeGreaterThanOrEqual(step.metrics.durationMs / 1000 - 1);
      // Taken during the step: increasing, each short of the step's total, which the last sample carries.
      for (let i = 1; i < values.length; i++) {
        expect(values[i]!.at).toBeGreaterThan(values[i - 1]!.at);
        expect(values[i]!.value).toBeGreaterThanOrEqual(values[i - 1]!.value);
      }
      for (const sample of intervals) expect(sample.value).toBeLessThan(step.metrics.counters.transactions);
      expect(values.at(-1)?.value).toBe(step.metrics.counters.transactions);
      // The merged interval histograms count round trips of both threads: the last interval's p50 is a real value.
      const p50 = await prometheus!.query(`hcbench_round_trip_seconds{run_id="${runId}",quantile="0.5"}[1h]`);
      const p50Values = (p50[0] as unknown as { values: [number, string][] }).values.map(([, v]) => Number(v));
      expect(p50Values.length).toBe(values.length);
      for (const v of p50Values) expect(v).toBeGreaterThan(0);
    }, 60_000);

    test('capacity --out prometheus-rw=URL: every probe sends its step, labelled with its number and offered rate', async () => {
      const cli = await runCli(
        ['capacity', join(dir, 'prom-capacity.yaml'), '--path', 'direct', '--start-rate', '50', '--max-probes', '2', '--duration-ms', '1500', '--warmup-ms', '200',
          '--out', `prometheus-rw=${prometheus!.writeUrl}`, '--out', 'capacity.json', '--tag', 'ci=yes', '--json'],
        { cwd: dir },
      );
      const report = JSON.parse(cli.stdout) as CapacityReport;

      expect(JSON.parse(await readFile(join(dir, 'capacity.json'), 'utf8'))).toEqual(report);
      expect(report.remoteWrite, cli.stderr).toMatchObject({ samplesDropped: 0, url: prometheus!.writeUrl });
      expect(cli.stderr).toContain(`prometheus-rw: ${report.remoteWrite!.samplesSent} samples sent`);
      const curve = report.paths.find((p) => p.pathId === 'direct')!.curve;
      expect(curve).toHaveLength(2);
      const series = await prometheus!.query(`hcbench_transactions_total{run_id="${report.remoteWrite!.runId}"}[1h]`);
      const probes = series.map((s) => ({ labels: s.metric, values: (s as unknown as { values: [number, string][] }).values }));
      // The report's curve is ordered by rate, the probes by when they ran: compare as sets.
      expect(probes.map((p) => p.labels['probe']).sort()).toEqual(['1', '2']);
      expect(probes.map((p) => Number(p.labels['offered_rate'])).sort((a, b) => a - b)).toEqual(curve.map((point) => point.ratePerSec).sort((a, b) => a - b));
      for (const probe of probes) expect(probe.labels).toMatchObject({ path: 'direct', path_kind: 'direct', ci: 'yes', scenario: 'prom-capacity' });
      for (const probe of probes) {
        // Interval samples during the probe (its window is at least 1.5 s) and its end-of-step sample.
        expect(probe.values.length).toBeGreaterThanOrEqual(2);
        expect(Number(probe.values.at(-1)![1])).toBeGreaterThan(0);
      }
    }, 90_000);
  });
}
