// The container command of the Indexed Job, run by a real `sh` for every index of N = 3, with a
// recording `hcbench` first on PATH (an argv recorder: `hcbench run --shard` is not what is under
// test here, the shell around it is). Its output goes through the documented collection pipeline
// (sed | base64 -d | gunzip, run by sh too), so the index -> shard mapping, the log transport, the
// exit-code policy and the SIGTERM -> SIGINT hand-over are all checked end to end.

import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RESULT_BEGIN, RESULT_END } from '../../src/deploy/k8s-script.js';
import { runCli } from '../helpers/cli.js';

/** Prints its argv as JSON (the run's --json stdout), exits with $FAKE_EXIT; with FAKE_WAIT_SIGINT, waits for SIGINT first. */
const RECORDER = `#!/usr/bin/env node
const argv = process.argv.slice(2);
const finish = (interrupted) => {
  process.stdout.write(JSON.stringify({ argv, interrupted }) + '\\n');
  process.exit(Number(process.env.FAKE_EXIT ?? '0'));
};
if (process.env.FAKE_WAIT_SIGINT) {
  process.on('SIGINT', () => finish(true));
  process.stderr.write('recorder: waiting for SIGINT\\n');
  setTimeout(() => finish(false), 20000);
} else finish(false);
`;

/** The collection step of collect.sh for one pod log (same sed, base64 and gunzip), as a script. */
const EXTRACT = `sed -n '/^${RESULT_BEGIN}$/,/^${RESULT_END}$/p' | sed '1d;$d' | base64 -d | gunzip`;

let dir: string;
let script: string;
let startAt: string;
let bin: string;

interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the container command as Kubernetes would (sh -c), for one index; bounded at 20 s. */
function runIndex(index: number, env: Record<string, string>, onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, JOB_COMPLETION_INDEX: String(index), HCBENCH_RESULTS_DIR: join(dir, 'results'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`index ${index}: the container command did not end within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Pipes a pod log through the documented extraction and parses the recorded result. */
function extract(log: string): Promise<{ argv: string[]; interrupted: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', EXTRACT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`extraction failed (${code}): ${err}`))));
    child.stdin.end(log);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-k8s-script-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  await mkdir(join(dir, 'results'));
  await writeFile(join(bin, 'hcbench'), RECORDER);
  await chmod(join(bin, 'hcbench'), 0o755);
  const run = await runCli(['k8s', 'scenarios/quickstart.yaml', '--shards', '3', '--image', 'hcbench:test', '--out', join(dir, 'out')]);
  expect(run.exitCode).toBe(0);
  const docs = parseAllDocuments(await readFile(join(dir, 'out', 'manifests.yaml'), 'utf8')) as { toJS(): any }[];
  const job = docs[1]?.toJS();
  const command = job.spec.template.spec.containers[0].command as string[];
  expect(command.slice(0, 2)).toEqual(['sh', '-c']);
  script = command[2] as string;
  startAt = job.metadata.annotations['hcbench/start-at'];
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Indexed Job container command (N = 3, real sh)', () => {
  test('index i runs shard i+1/3 with the one shared --start-at, and its result survives the log', async () => {
    const seen: string[] = [];
    for (const index of [0, 1, 2]) {
      const run = await runIndex(index, {});
      expect(run.code, run.stderr).toBe(0);
      const result = await extract(run.stdout);
      expect(result.argv).toEqual([
        'run', '/etc/hcbench/scenario/quickstart.yaml',
        '--shard', `${index + 1}/3`,
        '--start-at', startAt,
        '--results-dir', join(dir, 'results', `shard-${index + 1}`),
        '--json',
      ]);
      // The pod-local copy is the same result.
      expect(JSON.parse(await readFile(join(dir, 'results', `shard-${index + 1}.json`), 'utf8'))).toEqual(result);
      seen.push(result.argv[3] as string);
    }
    expect(seen).toEqual(['1/3', '2/3', '3/3']);
  });

  test('exit codes: 6 and 7 (judged on the merge) leave the pod Succeeded, 5 fails it; the result is printed either way', async () => {
    for (const [exit, pod] of [[6, 0], [7, 0], [5, 5]] as const) {
      const run = await runIndex(1, { FAKE_EXIT: String(exit) });
      expect(run.code, run.stderr).toBe(pod);
      expect(run.stderr).toContain(`hcbench shard 2/3 exited with code ${exit}`);
      expect((await extract(run.stdout)).argv).toContain('2/3');
    }
  });

  test('without JOB_COMPLETION_INDEX the command refuses to run', async () => {
    const run = await new Promise<ShellRun>((resolve) => {
      const child = spawn('sh', ['-c', script], { env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('run this as an Indexed Job');
  });

  test('SIGTERM (pod deletion, deadline) reaches the run as SIGINT, and the partial result is still printed', async () => {
    let signalled = false;
    const run = await runIndex(2, { FAKE_WAIT_SIGINT: '1', FAKE_EXIT: '130' }, (stderr, child) => {
      if (!signalled && stderr.includes('recorder: waiting for SIGINT')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    expect(signalled).toBe(true);
    expect(run.code).toBe(130);
    const result = await extract(run.stdout);
    expect(result).toMatchObject({ interrupted: true });
    expect(result.argv).toContain('3/3');
  });
});
