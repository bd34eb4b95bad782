// Every file hcbench reads is checked for type and size before reading: /dev/zero, a FIFO with no
// writer, a symlink to /dev/zero, a directory and an oversized (sparse) file are refused at once,
// with the command's exit code and a message naming the file and the reason, never a stack trace.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { INPUT_MAX_BYTES, readInputFile } from '../../src/fs/read-input.js';
import { runCli, type CliRun } from '../helpers/cli.js';

let dir = '';
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-hostile-files-'));
  execFileSync('mkfifo', [file('fifo')]);
  await symlink('/dev/zero', file('zero-link.yaml'));
  await symlink(file('fifo'), file('fifo-link.json'));
  await mkdir(file('folder.yaml'));
  // Sparse: as large as the biggest cap plus one, without writing the bytes.
  await writeFile(file('huge.json'), '');
  await truncate(file('huge.json'), INPUT_MAX_BYTES.result + 1);
  await writeFile(file('ok.txt'), 'hello');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI and fails with a reason if it does not finish within `ms` (a hang, not slowness). */
async function runWithin(argv: string[], ms = 10_000): Promise<CliRun> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hcbench ${argv.join(' ')} did not finish within ${ms} ms`)), ms);
  });
  try {
    // Names of files in the temp folder become absolute paths (scenario paths resolve against the process cwd).
    const resolved = argv.map((arg) => (/^[a-z][\w.-]*\.(yaml|json)$|^fifo$/.test(arg) ? file(arg) : arg));
    return await Promise.race([runCli(resolved, { cwd: dir }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('readInputFile', () => {
  test.each([
    ['/dev/zero', 'scenario', /is a character device, expected a regular file/],
    ['fifo', 'scenario', /is a FIFO \(named pipe\), expected a regular file/],
    ['zero-link.yaml', 'scenario', /is a character device/],
    ['fifo-link.json', 'result', /is a FIFO/],
    ['folder.yaml', 'scenario', /is a directory/],
    ['huge.json', 'result', new RegExp(`larger than the ${INPUT_MAX_BYTES.result}-byte limit for a result file`)],
    ['huge.json', 'connection-string', /larger than the 65536-byte limit for a connection-string file/],
    ['missing', 'scenario', /file not found/],
  ] as const)('refuses %s as a %s input', async (name, kind, reason) => {
    const read = await readInputFile(name.startsWith('/') ? name : file(name), kind);

    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.reason).toMatch(reason);
  });

  test('reads a regular file whole, and refuses one above an explicit cap', async () => {
    const read = await readInputFile(file('ok.txt'), 'scenario');
    const capped = await readInputFile(file('ok.txt'), 'scenario', 4);

    expect(read.ok && read.bytes.toString()).toBe('hello');
    expect(capped.ok).toBe(false);
  });
});

describe('commands refuse hostile input files quickly', () => {
  test.each([
    [['validate', '/dev/zero'], ExitCode.InvalidScenario, /\/dev\/zero: is a character device/],
    [['validate', 'fifo'], ExitCode.InvalidScenario, /fifo: is a FIFO/],
    [['validate', 'zero-link.yaml'], ExitCode.InvalidScenario, /zero-link\.yaml: is a character device/],
    [['validate', 'huge.json'], ExitCode.InvalidScenario, /larger than the 1048576-byte limit for a scenario file/],
    [['run', 'fifo-link.json', '--no-save'], ExitCode.InvalidScenario, /is a FIFO/],
    [['capacity', '/dev/zero'], ExitCode.InvalidScenario, /is a character device/],
    [['report', '/dev/zero'], ExitCode.Usage, /error\[ERR_RESULT_INVALID\]: \/dev\/zero: is a character device/],
    [['report', 'fifo', '--format', 'hlog'], ExitCode.Usage, /fifo: is a FIFO/],
    [['report', 'huge.json'], ExitCode.Usage, /larger than the 67108864-byte limit for a result file/],
    [['compare', '/dev/zero', '/dev/zero'], ExitCode.Usage, /\/dev\/zero: is a character device/],
    [['compare', 'fifo', 'zero-link.yaml'], ExitCode.Usage, /fifo: is a FIFO/],
    [['relay', '--namespace-file', 'fifo'], ExitCode.Usage, /namespace file .*fifo: is a FIFO/],
    [['agent', '--target', '127.0.0.1:1', '--connection-string-file', 'zero-link.yaml'], ExitCode.Usage, /connection string file .*zero-link\.yaml.*is a character device/s],
    [['tunnel', '--connection-string-file', 'fifo'], ExitCode.Usage, /connection string file .*fifo.*is a FIFO/s],
  ] as const)('hcbench %j exits %i', async (argv, exitCode, message) => {
    const run = await runWithin([...argv]);

    expect(run.stderr).toMatch(message);
    expect(run.exitCode).toBe(exitCode);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a namespace file nested 400k deep is refused before parsing', async () => {
    await writeFile(file('deep-namespace.yaml'), `rules: ${'['.repeat(400_000)}${']'.repeat(400_000)}\n`);

    const run = await runWithin(['relay', '--namespace-file', 'deep-namespace.yaml']);

    expect(run.stderr).toMatch(/deep-namespace\.yaml:1:\d+: nests deeper than 64 levels/);
    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
  });

  test('a calibration file that is a device is refused before the run starts', async () => {
    await writeFile(file('scenario.yaml'), 'name: m\ntarget: { kind: tcp-request-response }\npaths: [{ kind: direct }]\nworkload: { kind: tcp-request-response, connections: 1 }\n');

    const run = await runWithin(['run', 'scenario.yaml', '--no-save', '--calibration', '/dev/zero']);

    expect(run.stderr).toMatch(/\/dev\/zero: calibration file is a character device/);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).not.toMatch(/starting|step/);
  });
});
