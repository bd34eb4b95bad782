// `hcbench run --calibration <file>` carries saved calibration figures into the result's
// environment section, and refuses a file that is not a calibration before any socket opens.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { CalibrationResult } from '../../src/metrics/calibration-result.js';
import { invalidRunReasons } from '../../src/analysis/run-validity.js';
import { ExitCode } from '../../src/errors.js';
import type { RunResult } from '../../src/metrics/result.js';
import { runCli } from '../helpers/cli.js';

const calibration: CalibrationResult = {
  calibrationVersion: 1,
  measuredAt: '2026-11-29T10:00:00.000Z',
  durationMs: 1234,
  noiseFloor: {
    timer: { hrtimeResolutionNs: 40, setTimeoutLateness: { count: 1, p50Us: 100, p99Us: 100, maxUs: 100 } },
    eventLoopDelay: { count: 1, p50Us: 10, p99Us: 20, maxUs: 30 },
    loopbackRtt: { count: 1, p50Us: 40, p99Us: 90, maxUs: 100 },
  },
  delays: [{ mechanism: 'direct-delay-proxy', injectedMs: 5, traversalsPerRoundTrip: 2, samples: 60, measuredPerLegUs: 5050, errorUs: 50, errorPercent: 1, floorErrorUs: 20 }],
  resolution: { windows: 5, roundTripsPerWindow: 400, windowMedianStdDevUs: 2, resolvableDifferenceUs: 5.5 },
  isDelayAccuracyWithinBound: true,
};

const scenario = `name: cal-flag
description: direct only, short
target:
  kind: tcp-request-response
paths:
  - kind: direct
workload:
  kind: tcp-request-response
  connections: 1
  roundTripsPerTransaction: 1
  requestBytes: 64
  responseBytes: 64
durationMs: 300
warmupMs: 100
`;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-calflag-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'scenario.yaml'), scenario);
  return dir;
}

describe('hcbench run --calibration', () => {
  test('puts the saved figures into environment.calibration', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'cal.json'), JSON.stringify(calibration));

    const run = await runCli(['run', join(dir, 'scenario.yaml'), '--calibration', 'cal.json', '--json', '--no-save'], { cwd: dir, signal: AbortSignal.timeout(60_000) });

    const result = JSON.parse(run.stdout) as RunResult;
    // The exit code follows from the result: 7 exactly when it reads an untrusted figure (a loaded machine).
    expect(run.exitCode).toBe(invalidRunReasons(result).length > 0 ? ExitCode.InvalidRun : ExitCode.Ok);
    expect(result.environment.calibration).toEqual(calibration);
  }, 60_000);

  test('refuses a file that is not a calibration with a usage error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'cal.json'), '{"hello":1}');

    const run = await runCli(['run', join(dir, 'scenario.yaml'), '--calibration', 'cal.json', '--no-save'], { cwd: dir });

    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('not an hcbench calibration');
  }, 60_000);
});
