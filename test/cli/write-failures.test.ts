// Output that cannot be written is an environment error (exit 11, ERR_OUTPUT_WRITE) with a clear
// message and no stack, found at once (no recursive-mkdir spin on /proc), and a measured result is
// never lost: it is still printed, or saved to a temporary folder that the message names.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode, OutputWriteError } from '../../src/errors.js';
import { makeDirectory, writeOutputFile } from '../../src/fs/write-output.js';
import { parseRunResult } from '../../src/report/parse-result.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const fixtureFile = new URL('../fixtures/results/quickstart-run.json', import.meta.url).pathname;
const scenario = `name: write-failure
target: { kind: tcp-request-response }
paths: [{ kind: direct }]
workload: { kind: tcp-request-response, connections: 1 }
durationMs: 200
warmupMs: 0
`;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-write-failures-'));
  await writeFile(join(dir, 'scenario.yaml'), scenario);
  await writeFile(join(dir, 'a-file'), 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI and fails with a reason if it does not finish within `ms` (a spin, not slowness). */
async function runWithin(argv: string[], ms = 10_000): Promise<CliRun> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hcbench ${argv.join(' ')} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([runCli(argv, { cwd: dir }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function expectOutputError(run: CliRun, message: RegExp): void {
  expect(run.stderr).toMatch(message);
  expect(run.stderr).toMatch(/error\[ERR_OUTPUT_WRITE\]/);
  expect(run.stderr).not.toMatch(/ERR_INTERNAL|\n\s+at /);
  expect(run.exitCode).toBe(ExitCode.OutputFailed);
}

describe('makeDirectory and writeOutputFile', () => {
  test.each([
    ['/proc/results/run', /cannot create the folder \/proc\/results\/run: the location does not exist and cannot be created there/],
    ['/sys/nope/x', /cannot create the folder \/sys\/nope\/x: permission denied/],
    ['a-file/sub', /a part of the path is a file, not a folder/],
  ])('refuses %s with the reason, without spinning', async (folder, message) => {
    const error = await makeDirectory(folder.startsWith('/') ? folder : join(dir, folder)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as Error).message).toMatch(message);
  });

  test('creates missing levels and writes the file', async () => {
    const file = await writeOutputFile(dir, 'new/deeper/out.txt', 'hello');

    expect(await readFile(file, 'utf8')).toBe('hello');
  });
});

describe('commands that cannot write their output', () => {
  test('report --out /proc/nope/x fails fast with exit 11', async () => {
    const run = await runWithin(['report', fixtureFile, '--out', '/proc/nope/x']);

    expectOutputError(run, /cannot create the folder \/proc\/nope/);
  });

  test('report --out /sys/x.html fails with exit 11 and leaves no temporary file', async () => {
    const run = await runWithin(['report', fixtureFile, '--format', 'html', '--out', '/sys/x.html']);

    expectOutputError(run, /cannot write \/sys\/x\.html: permission denied/);
  });

  test('compare still prints the comparison when --md and --junit cannot be written', async () => {
    const run = await runWithin(['compare', fixtureFile, fixtureFile, '--md', '/proc/nope/c.md', '--junit', '/sys/x.xml']);

    expect(run.stdout).toMatch(/unchanged/);
    expectOutputError(run, /cannot create the folder \/proc\/nope.*cannot write \/sys\/x\.xml: permission denied.*verdict unchanged/s);
  });

  test('run --results-dir /proc/results fails before measuring', async () => {
    const run = await runWithin(['run', join(dir, 'scenario.yaml'), '--results-dir', '/proc/results']);

    expectOutputError(run, /cannot create the folder \/proc\/results\//);
    expect(run.stderr).not.toMatch(/starting|step 1/);
  });

  test('run with an unwritable --junit keeps the result folder and says what failed', async () => {
    const run = await runWithin(['run', join(dir, 'scenario.yaml'), '--results-dir', 'results', '--junit', '/sys/x.xml'], 60_000);

    expectOutputError(run, /cannot write \/sys\/x\.xml: permission denied/);
    const folder = /results: (.+)\n/.exec(run.stderr)?.[1];
    expect(folder, run.stderr).toBeDefined();
    expect(parseRunResult(await readFile(join(folder!, 'summary.json'), 'utf8'), 'summary.json').status).toBe('completed');
    expect(run.stdout).toMatch(/write-failure/);
  }, 60_000);

  test('run --no-save with unwritable --md and --junit saves the result to a temporary folder', async () => {
    const run = await runWithin(['run', join(dir, 'scenario.yaml'), '--no-save', '--md', '/proc/nope/s.md', '--junit', '/sys/x.xml'], 60_000);

    expectOutputError(run, /the run finished but 2 outputs could not be written/);
    const saved = /result saved instead to: (.+)\n/.exec(run.stderr)?.[1];
    expect(saved, run.stderr).toBeDefined();
    const result = parseRunResult(await readFile(saved!, 'utf8'), saved!);
    await rm(join(saved!, '..'), { recursive: true, force: true });
    expect(result.scenario.name).toBe('write-failure');
    expect(result.steps.every((step) => step.status === 'completed')).toBe(true);
  }, 60_000);
});

describe('hcbench init cannot write its file', () => {
  test('init /proc/nope/x.yaml fails with exit 11 naming the folder, not a raw ENOENT', async () => {
    const run = await runWithin(['init', '/proc/nope/x.yaml']);

    expectOutputError(run, /cannot create the folder \/proc\/nope: the location does not exist and cannot be created there/);
    expect(run.stderr).not.toMatch(/no such file or directory|open '/);
  });

  test('init /sys/x.yaml fails with exit 11 and the reason', async () => {
    const run = await runWithin(['init', '/sys/x.yaml']);

    expectOutputError(run, /cannot write \/sys\/x\.yaml: permission denied/);
  });

  test('init creates a missing folder for its file', async () => {
    const run = await runWithin(['init', 'fresh/sub/starter.yaml']);

    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    expect(await readFile(join(dir, 'fresh/sub/starter.yaml'), 'utf8')).toMatch(/^name: /m);
  });
});
