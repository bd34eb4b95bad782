// hcbench's live export into a real Prometheus (Debian's package, remote-write receiver enabled),
// queried back over its HTTP API: the series exist with the run's labels and their latest values
// equal the saved result's counters and quantiles. Then Prometheus is stopped mid-run: the run
// loses nothing, exits with its own code, and warns naming the dropped samples. Skipped with the
// reason where Prometheus is not installed.

import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { invalidRunReasons } from '../../src/analysis/run-validity.js';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';
import { dashboardQueries } from '../helpers/dashboard.js';
import { PROMETHEUS_SKIP_REASON, startPrometheus, type StartedPrometheus } from '../helpers/prometheus.js';

const scenario = (name: string, durationMs: number) => `name: ${name}
network: same-region
target: { kind: tcp-request-response }
paths: [{ kind: direct }, { kind: relay-emulated }]
workload: { kind: tcp-request-response, connections: 1, roundTripsPerTransaction: 2 }
durationMs: ${durationMs}
warmupMs: 200
`;

async function run(dir: string, name: string, url: string): Promise<{ exitCode: ExitCode; stderr: string; result: RunResult }> {
  const cli = await runCli(['run', join(dir, `${name}.yaml`), '--out', `prometheus-rw=${url}`, '--tag', 'ci=yes', '--results-dir', name, '--json'], { cwd: dir });
  const [folder] = await readdir(join(dir, name));
  return { exitCode: cli.exitCode, stderr: cli.stderr, result: JSON.parse(await readFile(join(dir, name, folder!, 'summary.json'), 'utf8')) as RunResult };
}

/** 0, or 7 when the loaded machine made a verdict statistic untrusted: remote write never changes it. */
/** The exit code the run earns by itself, from its saved result (7 exactly when it has invalid-run reasons). */
const ownExitCode = (result: RunResult): ExitCode => (invalidRunReasons(result).length > 0 ? ExitCode.InvalidRun : ExitCode.Ok);

if (PROMETHEUS_SKIP_REASON !== undefined) {
  describe('live export into a real Prometheus', () => {
    test.skip(`skipped: ${PROMETHEUS_SKIP_REASON}`, () => undefined);
  });
} else {
  describe('live export into a real Prometheus', () => {
    let prometheus: StartedPrometheus | undefined;
    let dir = '';
    let liveRunId: string | undefined;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hcbench-prom-run-'));
      await writeFile(join(dir, 'prom-live.yaml'), scenario('prom-live', 2300));
      await writeFile(join(dir, 'prom-stop.yaml'), scenario('prom-stop', 4000));
      prometheus = await startPrometheus();
    }, 40_000);
    afterAll(async () => {
      await prometheus?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('the series are queryable with the run labels and the result values', async () => {
      const { exitCode, stderr, result } = await run(dir, 'prom-live', prometheus!.writeUrl);

      expect(exitCode).toBe(ownExitCode(result));
      expect(result.remoteWrite).toMatchObject({ samplesDropped: 0 });
      const runId = result.remoteWrite!.runId;
      liveRunId = runId;
      const transactions = await prometheus!.query(`hcbench_transactions_total{run_id="${runId}"}`);
      expect(transactions).toHaveLength(2);
      for (const step of result.steps) {
        if (step.status !== 'completed') throw new Error(`step ${step.stepId} ${step.status}`);
        const series = transactions.find((s) => s.metric['step'] === step.stepId);
        expect(series?.metric).toEqual({
          __name__: 'hcbench_transactions_total', run_id: runId, scenario: 'prom-live', step: step.stepId, path: step.pathId,
          path_kind: step.pathKind, repetition: '0', ci: 'yes',
        });
        expect(Number(series?.value[1])).toBe(step.metrics.counters.transactions);
        const [p99] = await prometheus!.query(`hcbench_round_trip_seconds{run_id="${runId}",step="${step.stepId}",quantile="0.99"}`);
        expect(Number(p99?.value[1])).toBe(step.metrics.histograms.roundTrip.summary.p99Us / 1e6);
        const [bytes] = await prometheus!.query(`hcbench_bytes_sent_total{run_id="${runId}",step="${step.stepId}"}`);
        expect(Number(bytes?.value[1])).toBe(step.metrics.counters.bytesSent);
      }
      const relay = result.steps.find((s) => s.pathKind === 'relay-emulated')!;
      const [bridges] = await prometheus!.query(`hcbench_path_counter{run_id="${runId}",path="${relay.pathId}",component="relay",counter="bridgesTotal"}`);
      expect(Number(bridges?.value[1])).toBe((result.pathCounters?.[relay.pathId]?.['relay'] as Record<string, number>)['bridgesTotal']);
    }, 60_000);

    test('every query of the Grafana dashboard runs on Prometheus and finds the run', async () => {
      if (liveRunId === undefined) throw new Error('the run of the first test did not happen');
      for (const { title, expr } of dashboardQueries()) {
        // Grafana's label_values(expr, label) is a series query of expr; its variables become this run.
        const promql = expr
          .replace(/^label_values\((.*), *[a-z_]+\)$/, '$1')
          .replaceAll('$scenario', 'prom-live')
          .replaceAll('$run_id', liveRunId)
          .replaceAll('$__rate_interval', '1m');
        const series = await prometheus!.query(promql);
        // A run without errors has no error series (kinds that did not occur are absent).
        if (!expr.includes('hcbench_errors_total')) expect(series.length, `${title}: ${promql}`).toBeGreaterThan(0);
      }
    }, 30_000);

    test('Prometheus stopped mid-run: the run keeps every result, exits with its own code, names the drops', async () => {
      let stopping: Promise<void> | undefined;
      const watcher = (async () => {
        // Stop it once the first live samples of this scenario are stored (bounded: 200 polls).
        for (let i = 0; i < 200 && stopping === undefined; i++) {
          const found = await prometheus!.query('count(hcbench_transactions_total{scenario="prom-stop"})').catch(() => []);
          if (found.length > 0) stopping = prometheus!.stop();
          else await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const { exitCode, stderr, result } = await run(dir, 'prom-stop', prometheus!.writeUrl);
      await watcher;
      await stopping;

      expect(stopping).toBeDefined();
      expect(exitCode).toBe(ownExitCode(result));
      expect(result.status).toBe('completed');
      expect(result.steps.every((s) => s.status === 'completed' && s.metrics.counters.transactions > 0)).toBe(true);
      expect(result.remoteWrite!.samplesSent).toBeGreaterThan(0);
      expect(result.remoteWrite!.samplesDropped).toBeGreaterThan(0);
      expect(stderr).toContain(`warning: prometheus-rw: ${result.remoteWrite!.samplesDropped} samples dropped`);
    }, 60_000);
  });
}
