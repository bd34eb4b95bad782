// `hcbench capacity` on the embedded relay against the built-in target with an injected service-time
// ceiling (2 workers × 50 ms = 40 requests/s): both paths must find it within 10 %, and the report
// must carry the latency-vs-rate curve. 16 connections leave room for relay latency spikes on a
// loaded machine; 4 s windows let a 10 % overload build a backlog that shows as dropped arrivals.
// Real processes, real sockets; about 1.5 minutes.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import type { CapacityReport } from '../../src/capacity/types.js';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const CEILING_PER_SEC = 40;

const SCENARIO = `name: capacity-ceiling
description: built-in target with a known ceiling of 2 workers x 50 ms = 40 requests/s
target: { kind: tcp-request-response, serviceTimeUs: 50000, concurrency: 2 }
paths: [ { kind: direct }, { kind: relay-emulated } ]
workload:
  id: rr
  kind: tcp-request-response
  connections: 16
  load: { model: open, ratePerSec: 20 }
`;

test(
  'finds the target ceiling within 10 % on both paths and reports the curve',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-capacity-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'ceiling.yaml'), SCENARIO);

    const run = await runCli(
      ['capacity', 'ceiling.yaml', '--duration-ms', '4000', '--warmup-ms', '500', '--step-factor', '1.5', '--resolution', '0.1',
        '--slo-p99-ms', '1000', '--slo-dropped-rate', '3%', '--out', 'capacity.json'],
      { cwd: dir, signal: AbortSignal.timeout(400_000) },
    );

    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    const report = JSON.parse(await readFile(join(dir, 'capacity.json'), 'utf8')) as CapacityReport;
    expect(report.paths.map((p) => p.pathId)).toEqual(['direct', 'relay-emulated']);
    for (const path of report.paths) {
      expect(path.maxSustainedPerSec, `${path.pathId}: ${JSON.stringify(path.curve)}`).toBeGreaterThanOrEqual(CEILING_PER_SEC * 0.9);
      expect(path.maxSustainedPerSec).toBeLessThanOrEqual(CEILING_PER_SEC * 1.1);
      expect(path.lowestBreakingPerSec).toBeGreaterThan(path.maxSustainedPerSec ?? 0);
      expect(path.curve.length).toBeGreaterThanOrEqual(3);
      expect(path.curve.map((p) => p.ratePerSec)).toEqual([...path.curve.map((p) => p.ratePerSec)].sort((a, b) => a - b));
      for (const point of path.curve) expect(point.p50Us).toBeLessThanOrEqual(point.p99Us);
      expect(path.knee).not.toBeNull();
    }
    expect(report.relayUsage.listenerHours).toBeGreaterThan(0);
    expect(run.stdout).toContain('relay-emulated: latency vs offered rate');
  },
  420_000,
);
