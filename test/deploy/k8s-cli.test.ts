// `hcbench k8s` on the command line: bad input refused with its exit code and a message that
// names the flag or the file, the listener-quota warning, and the files it writes.

import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-k8s-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const k8s = (...args: string[]) => runCli(['k8s', ...args]);

describe('hcbench k8s: bad input', () => {
  test('an invalid scenario exits 3 with file, line and key, as validate does, and writes nothing', async () => {
    const out = join(dir, 'invalid');
    const run = await k8s('test/fixtures/invalid-two-issues.yaml', '--shards', '2', '--image', 'hcbench:test', '--out', out);
    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
    expect(run.stderr).toContain('test/fixtures/invalid-two-issues.yaml:9:3 workload.conections: unknown key');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  test.each([
    [['--shards', '0', '--image', 'x'], "option '--shards <n>' argument '0' is invalid. must be a whole number in 1..1024"],
    [['--shards', '1025', '--image', 'x'], 'must be a whole number in 1..1024, got "1025"'],
    [['--shards', 'two', '--image', 'x'], 'must be a whole number in 1..1024, got "two"'],
    [['--shards', '2'], "required option '--image <image>' not specified"],
    [['--image', 'x'], "required option '--shards <n>' not specified"],
    [['--shards', '2', '--image', 'x', '--namespace', 'Bench_1'], '--namespace "Bench_1": must be a Kubernetes name'],
    [['--shards', '2', '--image', 'x', '--cpu', 'lots'], '--cpu "lots": must be a Kubernetes quantity'],
    [['--shards', '2', '--image', 'x', '--start-in', '5'], 'must be a whole number in 10..86400, got "5"'],
    [['--shards', '2', '--image', 'two words'], '--image "two words": must be an image reference without spaces'],
  ])('%j exits 2: %s', async (args, message) => {
    const run = await k8s('scenarios/quickstart.yaml', ...args, '--out', join(dir, 'never'));
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(message);
  });

  test('a replayed trace outside the scenario folder is refused (a ConfigMap mounts below one folder)', async () => {
    await mkdir(join(dir, 'outside', 'scenario'), { recursive: true });
    await copyFile('scenarios/traces/pricing-orm.json', join(dir, 'outside', 'orm.json'));
    const text = (await readFile('scenarios/pricing-database-replay.yaml', 'utf8')).replace('trace: traces/pricing-orm.json', 'trace: ../orm.json').replace(/^\$schema.*$/m, '');
    await writeFile(join(dir, 'outside', 'scenario', 'replay.yaml'), text);
    const run = await k8s(join(dir, 'outside', 'scenario', 'replay.yaml'), '--shards', '2', '--image', 'x', '--out', join(dir, 'never'));
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("orm.json is outside the scenario's folder");
  });

  test('a scenario and traces larger than a ConfigMap holds are refused, with the size and the way out', async () => {
    const trace = JSON.parse(await readFile('scenarios/traces/pricing-orm.json', 'utf8')) as { conversations: { id: number }[] };
    const conversations = Array.from({ length: 16 }, () => trace.conversations).flat().map((c, id) => ({ ...c, id }));
    await mkdir(join(dir, 'big', 'traces'), { recursive: true });
    await writeFile(join(dir, 'big', 'traces', 'big.json'), JSON.stringify({ ...trace, conversations }));
    const text = (await readFile('scenarios/pricing-database-replay.yaml', 'utf8')).replace('trace: traces/pricing-orm.json', 'trace: traces/big.json').replace(/^\$schema.*$/m, '');
    await writeFile(join(dir, 'big', 'replay.yaml'), text);
    expect((await runCli(['validate', join(dir, 'big', 'replay.yaml')])).exitCode).toBe(ExitCode.Ok);
    const run = await k8s(join(dir, 'big', 'replay.yaml'), '--shards', '2', '--image', 'x', '--out', join(dir, 'never'));
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/the scenario and its traces are \d+ bytes, more than a ConfigMap holds \(1000000\); build them into the image instead/);
  });
});

describe('hcbench k8s: what it writes', () => {
  test('N = 1024 fits one Job; the files are written, collect.sh is executable and parses as sh', async () => {
    const out = join(dir, 'big');
    const run = await k8s('scenarios/quickstart.yaml', '--shards', '1024', '--image', 'hcbench:test', '--out', out);
    expect(run.exitCode, run.stderr).toBe(ExitCode.Ok);
    expect(run.stdout).toMatch(/Job hcbench-quickstart-\d{14}: 1024 shards/);
    const manifests = await readFile(join(out, 'manifests.yaml'), 'utf8');
    expect(manifests).toContain('completions: 1024');
    expect(manifests).toContain('parallelism: 1024');
    const collect = join(out, 'collect.sh');
    expect((await stat(collect)).mode & 0o111).not.toBe(0);
    const syntax = spawnSync('sh', ['-n', collect], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
  });

  test('more than 25 shards of a relay-azure path warn about the listener quota; 25 do not', async () => {
    const text = (await readFile('scenarios/quickstart.yaml', 'utf8')).replace(/^\$schema.*$/m, '').replace(/paths:\n(  - .*\n)+/, 'paths:\n  - kind: relay-azure\n    id: azure\n');
    const file = join(dir, 'azure.yaml');
    await writeFile(file, text);
    const over = await k8s(file, '--shards', '26', '--image', 'x', '--out', join(dir, 'azure-26'));
    expect(over.exitCode, over.stderr).toBe(ExitCode.Ok);
    expect(over.stderr).toContain('warning: path azure: every shard starts its own agent, so 26 listeners on one hybrid connection; Azure accepts 25');
    const at = await k8s(file, '--shards', '25', '--image', 'x', '--out', join(dir, 'azure-25'));
    expect(at.exitCode, at.stderr).toBe(ExitCode.Ok);
    expect(at.stderr).not.toContain('warning');
  });
});
