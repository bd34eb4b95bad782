// `npm run bench:table` end to end on fixture result files in a temp folder and temp copies of
// README.md and bench/README.md: per entry the newest file that measured it wins (by startedAt,
// not by name; a skipped entry never replaces a measurement), the cells equal the JSON's figures,
// a second run changes nothing, and a missing marker or a malformed or oversized result file is
// refused with its name and an exit code, leaving every README as it was.

import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { formatStalls } from '../../bench/lib/readme-table.js';
import { formatNumber } from '../../bench/lib/runner.js';
import { newestPerEntry, parseBenchResult, type ResultFile } from '../../bench/lib/result-files.js';
import { newestTruth } from '../../bench/lib/truth-block.js';
import { INPUT_MAX_BYTES } from '../../src/fs/read-input.js';
import { measured, resultFile, skipped } from '../fixtures/bench/bench-results.js';

const BEGIN = '<!-- bench-table:begin';
const END = '<!-- bench-table:end -->';
const BLOCKS = ['bench-table', 'truth-table', 'calibration'];

let dir: string;
let results: string;
let readme: string;
let benchReadme: string;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bench/table.ts as `npm run bench:table` does (tsx), on the temp folder and READMEs. */
function runTable(resultsDir = results): Promise<Outcome> {
  const args = ['--import', 'tsx', 'bench/table.ts', '--results', resultsDir, '--readme', readme, '--bench-readme', benchReadme];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: process.cwd(), timeout: 25_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
      if (code === undefined) reject(new Error(`bench/table.ts did not exit by itself: ${String(error?.message)}; stderr: ${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** The generated block `name` of `text` (between its markers). */
function block(text: string, name = 'bench-table'): string {
  const start = text.indexOf('-->', text.indexOf(`<!-- ${name}:begin`)) + 3;
  return text.slice(start, text.indexOf(`<!-- ${name}:end -->`));
}

/** `text` with every generated block emptied: what must never change (the soak section among it). */
function outside(text: string): string {
  return BLOCKS.reduce((t, name) => {
    const begin = t.indexOf(`<!-- ${name}:begin`);
    if (begin < 0) return t;
    const end = t.indexOf(`<!-- ${name}:end -->`);
    return `${t.slice(0, t.indexOf('-->', begin) + 3)}${t.slice(end)}`;
  }, text);
}

/** A measured truth entry whose hcbench round carries the per-profile detail. */
function truthEntry() {
  const e = measured('truth', 'µs', [[1280, 310]]);
  e.rounds[0]!.figure = { value: 1280, detail: { 'same-region.deltaUs': 888, 'same-region.deltaErrorUs': 611, 'same-region.passed': 1, 'cross-region.passed': 0, 'cross-region.keepHotAllowed': 0, 'cross-region.loadAtStart': 2.7, profilesPassed: 1, calibrateAgrees: 1 } } as never;
  return e;
}

/** The cells of the table row of entry `id`. */
function row(text: string, id: string): string[] {
  const line = block(text).split('\n').find((l) => l.startsWith(`| \`${id}\``));
  if (line === undefined) throw new Error(`no row for ${id} in:\n${block(text)}`);
  return line.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, ''));
}

const newer = resultFile('2026-01-02T10:00:00.000Z', [
  measured('direct-ping-pong', 'RT/s', [[20_000, 33_000], [20_500, 33_500], [20_200, 33_200]], [41, 27]),
  measured('relay-ping-pong', 'RT/s', [[4000, 5000], [3000, 5000], [4500, 5000]]),
  skipped('http'),
  unjudgeableEntry(),
]);

/** A one-round entry whose hcbench figure says it cannot judge (the machine was not quiet). */
function unjudgeableEntry() {
  const e = measured('generator-capacity', 'RT/s', [[0, 48_000]]);
  e.rounds[0]!.figure = { value: 0, unjudgeable: 'machine floor 300 µs | above the 200 µs bound' } as never;
  return e;
}
const calibration = {
  noiseFloor: {
    timer: { hrtimeResolutionNs: 40, setTimeoutLateness: { count: 200, p50Us: 133, p99Us: 288, maxUs: 900 } },
    eventLoopDelay: { count: 195, p50Us: 150, p99Us: 322, maxUs: 400 },
    loopbackRtt: { count: 2000, p50Us: 36, p99Us: 120, maxUs: 300 },
    cpuStalls: { durationMs: 2000, thresholdUs: 20, stalls: 40, stalledPercent: 0.4, longestUs: 1500, idealLagP99Us: 0 },
  },
  delays: [
    { mechanism: 'direct-delay-proxy', injectedMs: 5, traversalsPerRoundTrip: 2, samples: 600, measuredPerLegUs: 5062, errorUs: 62, errorPercent: 1.24, floorErrorUs: 20 },
    { mechanism: 'relay-legs', injectedMs: 20, traversalsPerRoundTrip: 4, samples: 60, measuredPerLegUs: 19_990, errorUs: -10, errorPercent: 0.05, floorErrorUs: -3 },
    { mechanism: 'relay-legs', injectedMs: 1, samples: 9, measuredPerLegUs: '<b>1000</b>', errorUs: 0, errorPercent: 0, floorErrorUs: 0 },
  ],
  resolution: { windows: 5, roundTripsPerWindow: 400, windowMedianStdDevUs: 10, resolvableDifferenceUs: 29 },
  isDelayAccuracyWithinBound: true,
};
const older = {
  ...resultFile('2026-01-01T10:00:00.000Z', [
    measured('direct-ping-pong', 'RT/s', [[10_000, 30_000], [10_100, 30_000], [10_200, 30_000]]),
    measured('http', 'req/s', [[37_000, 36_000], [37_400, 36_200], [37_200, 36_100]]),
    truthEntry(),
  ], { cpuModel: 'Older CPU' }),
  calibration,
};
// Schema 1: spread was half the range and there was no steadiness field.
const schemaOne = { ...resultFile('2025-12-31T10:00:00.000Z', [{ ...measured('connection-setup', 'µs', [[3300, 100], [3400, 100], [3200, 100]]), spread: 1 / 33, steadiness: undefined }]), schemaVersion: 1 };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-table-'));
  results = join(dir, 'results');
  await mkdir(results);
  readme = join(dir, 'README.md');
  benchReadme = join(dir, 'bench-README.md');
  await copyFile('README.md', readme);
  await copyFile('bench/README.md', benchReadme);
  // Names sort opposite to the start times: the newest must be found by startedAt.
  await writeFile(join(results, 'z-older.json'), JSON.stringify(older));
  await writeFile(join(results, 'a-newer.json'), JSON.stringify(newer));
  await writeFile(join(results, 'm-schema-one.json'), JSON.stringify(schemaOne));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run bench:table', () => {
  test('writes the newest figures per entry into both READMEs, equal to the JSON, and a second run changes nothing', async () => {
    const before = await readFile(readme, 'utf8');
    const benchBefore = await readFile(benchReadme, 'utf8');

    const first = await runTable();

    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const after = await readFile(readme, 'utf8');
    const benchAfter = await readFile(benchReadme, 'utf8');
    expect(block(after)).toBe(block(benchAfter));
    expect(outside(after)).toBe(outside(before));
    expect(outside(benchAfter)).toBe(outside(benchBefore));

    const direct = newer.entries[0] as ReturnType<typeof measured>;
    expect(row(after, 'direct-ping-pong')).toEqual([
      '`direct-ping-pong` (#15)',
      `${formatNumber(direct.hcbench.medianValue)} RT/s, p50 41 µs`,
      `${formatNumber(direct.reference.medianValue)} RT/s, p50 27 µs`,
      `${direct.ratio.toFixed(2)}×`,
      `${Math.round(direct.spread! * 100)}%`,
      '3',
      'higher',
      '[1]',
    ]);
    expect(row(after, 'relay-ping-pong')[3]).toBe('noisy, not quotable');
    expect(row(after, 'relay-ping-pong')[4]).toBe(`${Math.round((newer.entries[1] as ReturnType<typeof measured>).spread! * 100)}%`);
    // http was skipped in the newer file: the older measurement stays.
    const http = older.entries[1] as ReturnType<typeof measured>;
    expect(row(after, 'http').slice(1, 5)).toEqual([`${formatNumber(http.hcbench.medianValue)} req/s`, `${formatNumber(http.reference.medianValue)} req/s`, `${http.ratio.toFixed(2)}×`, `${Math.round(http.spread! * 100)}%`]);
    expect(row(after, 'http')[7]).toBe('[2]');
    // Schema 1: the spread is recomputed as the full range (3400 − 3200) / 3300, not the stored half.
    expect(row(after, 'connection-setup').slice(3, 5)).toEqual([`${(3300 / 100).toFixed(2)}×`, `${Math.round((200 / 3300) * 100)}%`]);
    expect(row(after, 'scale')[1]).toContain('no result');
    // Not a ratio of 0.00×: the figure's own reason, its pipe escaped for the table.
    expect(row(after, 'generator-capacity')[3]).toBe('not judgeable: machine floor 300 µs \\| above the 200 µs bound');
    const truth = block(benchAfter, 'truth-table');
    expect(truth).toContain(`From \`${results}/z-older.json\` (started 2026-01-01T10:00:00.000Z; 2 × Older CPU`);
    expect(truth).toContain('| same-region | 888 µs | – | +611 µs |');
    expect(truth).toContain('Profiles passing: 1 of 3.');
    // A profile measured on a busy machine says so next to its verdict; one measured quietly does not.
    expect(truth).toMatch(/\| cross-region \|.*\| FAIL \(keep-hot off: load 2\.7 at start\) \|/);
    expect(truth).toMatch(/\| same-region \|.*\| PASS \|/);
    // The calibration block comes from the newest file that has one (the newer file has none); a row with a non-numeric field is left out.
    const cal = block(benchAfter, 'calibration');
    expect(cal).toContain(`From \`${results}/z-older.json\` (\`hcbench calibrate\`, run by the suite just before its entries`);
    expect(cal).toContain('| direct delay proxy | 5 ms | 5,062 µs | +62 µs (1.2 %) | +20 µs | 600 |');
    expect(cal).toContain('| relay legs | 20 ms | 19,990 µs | −10 µs (0.1 %) | −3 µs | 60 |');
    expect(cal).not.toContain('1 ms');
    expect(cal).not.toContain('<b>');
    expect(cal).toContain('Delays of 5 ms and more within 5 %: yes.');
    expect(cal).toContain('Noise floor: setTimeout(1) lateness p50 133 µs / p99 288 µs, idle event-loop delay p99 322 µs, loopback RTT p50 36 µs, smallest resolvable p50 difference 29 µs; busy-loop stalls: 0.4 % of the time, longest 1.50 ms, ideal dispatch-lag p99 0 µs.');
    expect(block(after)).toContain(`1. \`${results}/a-newer.json\`: started 2026-01-02 10:00 UTC; 2 × Fixture CPU 9000, kernel 6.1-test, Node v20.0.0-test, load average 0.25 at start.`);
    expect(block(after)).toContain(`2. \`${results}/z-older.json\`: started 2026-01-01 10:00 UTC; 2 × Older CPU`);
    // A run whose calibration measured busy-loop stalls says so on its line; one without, nothing.
    expect(block(after)).toMatch(/2\. .*z-older\.json.*load average 0\.25 at start; busy-loop stalls before the entries: 0\.4 % of the time, longest 1\.50 ms, ideal dispatch-lag p99 0 µs\.\n/);
    expect(block(after)).not.toMatch(/1\. .*a-newer\.json.*busy-loop/);

    const second = await runTable();

    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${readme}: unchanged`);
    expect(second.stdout).toContain(`${benchReadme}: unchanged`);
    expect(await readFile(readme, 'utf8')).toBe(after);
    expect(await readFile(benchReadme, 'utf8')).toBe(benchAfter);
  }, 60_000);

  test('a README without the end marker is an error naming it (exit 11), and no README is written', async () => {
    const broken = (await readFile(readme, 'utf8')).replace(END, '');
    await writeFile(readme, broken);
    const benchBefore = await readFile(benchReadme, 'utf8');

    const outcome = await runTable();

    expect(outcome.code).toBe(11);
    expect(outcome.stderr).toContain(`error[ERR_README_MARKERS]: ${readme}: no ${END} marker`);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(readme, 'utf8')).toBe(broken);
    expect(await readFile(benchReadme, 'utf8')).toBe(benchBefore);
  }, 30_000);

  test.each([
    ['text that is not JSON', 'bad.json', async (path: string) => writeFile(path, '{"schemaVersion": 2, "startedAt":'), 'not JSON'],
    ['JSON of another shape', 'shape.json', async (path: string) => writeFile(path, JSON.stringify({ ...newer, machine: undefined })), 'not a bench result: machine'],
    ['a file over the 64 MiB result cap', 'huge.json', async (path: string) => {
      await writeFile(path, '');
      await truncate(path, INPUT_MAX_BYTES.result + 1);
    }, 'is larger than the'],
  ])('refuses %s with its name (exit 2), writing nothing', async (_label, name, make, reason) => {
    const path = join(results, name);
    await make(path);
    const before = await readFile(readme, 'utf8');

    const outcome = await runTable();

    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`error[ERR_RESULT_INVALID]: ${path}: ${reason}`);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(readme, 'utf8')).toBe(before);
  }, 30_000);

  test('an empty results folder changes nothing (exit 2)', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const before = await readFile(readme, 'utf8');

    const outcome = await runTable(empty);

    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`error[ERR_NO_RESULTS]: ${empty}: no result files`);
    expect(await readFile(readme, 'utf8')).toBe(before);
  }, 30_000);
});

describe('formatStalls (the busy-loop stalls a run measured before its entries)', () => {
  const stalls = { durationMs: 500, thresholdUs: 20, stalls: 12, stalledPercent: 3.25, longestUs: 4700, idealLagP99Us: 380 };

  test('names the share of time, the longest stall and the ideal dispatch-lag p99', () => {
    expect(formatStalls({ noiseFloor: { cpuStalls: stalls } })).toBe('3.25 % of the time, longest 4.70 ms, ideal dispatch-lag p99 380 µs');
  });

  test('says nothing for a run without them, and never prints a field that is not a number', () => {
    expect(formatStalls(undefined)).toBeUndefined();
    expect(formatStalls({ noiseFloor: {} })).toBeUndefined();
    expect(formatStalls({ noiseFloor: { cpuStalls: { ...stalls, longestUs: '<b>4700</b>' } } })).toBeUndefined();
    expect(formatStalls({ noiseFloor: { cpuStalls: null } })).toBeUndefined();
    expect(formatStalls('not an object')).toBeUndefined();
  });
});

describe('an interrupted run (Ctrl-C) never replaces a whole measurement', () => {
  const file = (name: string, content: unknown): ResultFile => {
    const report = parseBenchResult(JSON.stringify(content), name);
    return { name, startedAtMs: Date.parse(report.startedAt), report };
  };

  test('the entry the interrupt cut is skipped for the older whole one; a whole entry of the same run still counts', () => {
    const cut = { ...measured('relay-ping-pong', 'RT/s', [[1000, 5000]]), interrupted: true };
    const cutTruth = { ...truthEntry(), interrupted: true };
    const interrupted = file('interrupted.json', { ...resultFile('2026-01-03T10:00:00.000Z', [measured('direct-ping-pong', 'RT/s', [[30_000, 33_000]]), cut, cutTruth]), interrupted: true });
    const files = [interrupted, file('newer.json', newer), file('older.json', older)];

    const picks = newestPerEntry(files, ['direct-ping-pong', 'relay-ping-pong']);

    expect(picks.get('direct-ping-pong')?.file.name).toBe('interrupted.json');
    expect(picks.get('relay-ping-pong')?.file.name).toBe('newer.json');
    expect(newestTruth(files)?.file.name).toBe('older.json');
    expect(newestTruth([file('older.json', older)])?.file.name).toBe('older.json');
  });
});
