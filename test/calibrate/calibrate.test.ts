// hcbench calibrate: the command measures every injected delay on both mechanisms and saves a
// file `run --calibration` accepts; the pure pieces (bound check, resolution, parsing) by table.
// Asserts shapes and invariants only, never how exact this (shared, noisy) machine is.

import { Command } from 'commander';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { parseCalibration, readCalibration } from '../../src/calibrate/read-calibration.js';
import { isWithinBound, resolvableDifferenceUs } from '../../src/calibrate/run-calibration.js';
import { summarizeUs } from '../../src/calibrate/timer.js';
import type { CalibrationResult, DelayAccuracy } from '../../src/metrics/calibration-result.js';
import { registerCalibrate } from '../../src/cli/commands/calibrate.js';
import { ExitCode } from '../../src/errors.js';

function delay(injectedMs: number, errorPercent: number): DelayAccuracy {
  return { mechanism: 'direct-delay-proxy', injectedMs, traversalsPerRoundTrip: 2, samples: 10, measuredPerLegUs: 0, errorUs: 0, errorPercent, floorErrorUs: 0 };
}

async function runCalibrateCommand(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  let exitCode: ExitCode = ExitCode.Internal;
  const program = new Command('hcbench').exitOverride();
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd,
    signal: AbortSignal.timeout(120_000),
  };
  registerCalibrate(program, io, (code) => (exitCode = code));
  await program.parseAsync(['calibrate', ...argv], { from: 'user' });
  return { stdout, stderr, exitCode };
}

describe('hcbench calibrate', () => {
  test('reports 1, 5 and 20 ms on the delay proxy and the relay legs and saves a file run accepts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-cal-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));

    const { stdout, exitCode } = await runCalibrateCommand(['--quick', '--json', '--save', 'cal.json'], dir);
    const printed = JSON.parse(stdout) as CalibrationResult;
    const saved = await readCalibration(join(dir, 'cal.json'));

    expect(exitCode).toBe(ExitCode.Ok);
    expect(saved).toEqual(printed);
    expect(printed.delays.map((d) => [d.mechanism, d.injectedMs])).toEqual([
      ['direct-delay-proxy', 1],
      ['direct-delay-proxy', 5],
      ['direct-delay-proxy', 20],
      ['relay-legs', 1],
      ['relay-legs', 5],
      ['relay-legs', 20],
    ]);
    for (const d of printed.delays) {
      expect(d.samples).toBeGreaterThan(0);
      expect(Number.isFinite(d.measuredPerLegUs)).toBe(true);
      expect(d.errorUs).toBe(d.measuredPerLegUs - d.injectedMs * 1000);
      expect(d.errorPercent).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(d.floorErrorUs)).toBe(true);
    }
    const n = printed.noiseFloor;
    expect(n.timer.hrtimeResolutionNs).toBeGreaterThan(0);
    expect(n.loopbackRtt.count).toBe(printed.resolution.windows * printed.resolution.roundTripsPerWindow);
    expect(n.loopbackRtt.p50Us).toBeLessThanOrEqual(n.loopbackRtt.p99Us);
    expect(n.loopbackRtt.p99Us).toBeLessThanOrEqual(n.loopbackRtt.maxUs);
    expect(printed.resolution.resolvableDifferenceUs).toBeGreaterThan(0);
    const stalls = n.cpuStalls;
    expect(stalls?.durationMs).toBeGreaterThanOrEqual(500);
    expect(stalls?.stalledPercent).toBeGreaterThanOrEqual(0);
    expect(stalls?.stalledPercent).toBeLessThanOrEqual(100);
    expect(stalls?.idealLagP99Us).toBeLessThanOrEqual(stalls?.longestUs ?? -1);
    expect(printed.isDelayAccuracyWithinBound).toBe(isWithinBound(printed.delays));
  }, 120_000);

  test('prints a table naming every delay when not asked for JSON', async () => {
    // given a run with fewer samples; when printed; then every injected delay and the bound appear
    const { stdout } = await runCalibrateCommand(['--quick'], tmpdir());

    for (const ms of ['1 ms', '5 ms', '20 ms']) expect(stdout).toContain(ms);
    expect(stdout).toMatch(/delays >= 5 ms within 5%: (yes|NO)/);
    expect(stdout).toMatch(/smallest resolvable p50 overhead difference: [\d.]+ µs/);
  }, 120_000);
});

describe('calibration figures', () => {
  test.each([
    { delays: [delay(1, 50), delay(5, 4.9), delay(20, 1)], isWithin: true, why: '1 ms is not bounded' },
    { delays: [delay(5, 5), delay(20, 1)], isWithin: false, why: '5 % is not under 5 %' },
    { delays: [delay(5, 1), delay(20, 7)], isWithin: false, why: '20 ms over the bound' },
  ])('bound check: $why', ({ delays, isWithin }) => {
    expect(isWithinBound(delays)).toBe(isWithin);
  });

  test('resolvable difference is 1.96·√2·σ of the window medians, never below the timer resolution', () => {
    expect(resolvableDifferenceUs([100, 100, 100], 1)).toBe(1);
    expect(resolvableDifferenceUs([90, 110], 1)).toBeCloseTo(1.96 * Math.SQRT2 * 10, 6);
  });

  test('summarizes µs values by nearest rank', () => {
    expect(summarizeUs([5, 1, 3, 2, 4])).toEqual({ count: 5, p50Us: 3, p99Us: 5, maxUs: 5 });
  });

  test('refuses a file that is not a calibration, with a hint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-cal-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'other.json'), '{"schemaVersion":1}');

    expect(() => parseCalibration('not json', 'x.json')).toThrow(/x.json: not JSON/);
    await expect(readCalibration(join(dir, 'other.json'))).rejects.toMatchObject({ code: 'ERR_USAGE', hint: expect.stringContaining('hcbench calibrate --save') });
    await expect(readCalibration(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_USAGE' });
    expect(await readFile(join(dir, 'other.json'), 'utf8')).toContain('schemaVersion');
  });
});
