import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { loadSweepFixture } from './fixture.js';

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-report-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function run(argv: string[], cwd: string, isTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t), isTTY },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

const fixtureFile = new URL('../fixtures/results/sweep-run.json', import.meta.url).pathname;

describe('hcbench report', () => {
  test('re-renders a saved result as Markdown on stdout', async () => {
    const dir = await workDir();

    const { code, stdout, stderr } = await run(['report', fixtureFile, '--format', 'md'], dir);

    expect(stderr).toBe('');
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('## hcbench · sweep · failed');
  });

  test('a run folder stands for its summary.json', async () => {
    const dir = await workDir();
    await writeFile(join(dir, 'summary.json'), JSON.stringify(loadSweepFixture()));

    const { code, stdout } = await run(['report', '.', '--format', 'md'], dir);

    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('## hcbench · sweep · failed');
  });

  test('writes --out atomically and says where', async () => {
    const dir = await workDir();

    const { code, stderr } = await run(['report', fixtureFile, '--format', 'html', '--out', 'r.html'], dir);

    expect(code).toBe(ExitCode.Ok);
    expect(stderr).toBe(`report: ${join(dir, 'r.html')}\n`);
    expect(await readFile(join(dir, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  test('projection flags reach the analysis', async () => {
    const dir = await workDir();

    const { stdout } = await run(['report', fixtureFile, '--round-trips', '40', '--direct-rtt-ms', '2', '--app-to-relay-rtt-ms', '10', '--relay-to-agent-rtt-ms', '15'], dir);

    expect(stdout).toContain('projection for 40 round trips per transaction (direct RTT 2 ms, relay legs 10 + 15 + 0 ms; from fit)');
  });

  test('--fit p50 switches the round-trip fit to medians', async () => {
    const dir = await workDir();

    const mean = await run(['report', fixtureFile, '--format', 'md'], dir);
    const p50 = await run(['report', fixtureFile, '--format', 'md', '--fit', 'p50'], dir);

    expect(mean.stdout).toContain('weighted least squares of mean transaction latency');
    expect(p50.stdout).toContain('weighted least squares of median (p50) transaction latency');
  });

  test('an aborted result renders, flagged as partial', async () => {
    const dir = await workDir();
    const result = loadSweepFixture();
    result.status = 'aborted';
    const last = result.steps[7]!;
    if (last.status === 'completed') result.steps[7] = { ...last, status: 'aborted', reason: 'interrupted' };
    await writeFile(join(dir, 'summary.json'), JSON.stringify(result));

    const { code, stdout } = await run(['report', 'summary.json'], dir);

    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('hcbench · sweep · aborted');
    expect(stdout).toContain('! run interrupted: results are partial');
    expect(stdout).toContain('aborted (interrupted): partial metrics');
  });

  test.each([
    ['a missing file', null, 'error[ERR_RESULT_INVALID]: nope.json: file not found'],
    ['text that is not JSON', '{"schemaVersion": 1,', 'error[ERR_RESULT_INVALID]: nope.json: not JSON'],
    ['JSON that is not a result', '{"schemaVersion": 1, "status": "completed"}', 'error[ERR_RESULT_INVALID]: nope.json: not an hcbench result: startedAt:'],
    ['a result from a newer hcbench', '{"schemaVersion": 99}', 'error[ERR_RESULT_INVALID]: nope.json: result schemaVersion 99 is newer than this hcbench reads (1)\nhint: upgrade hcbench'],
  ])('rejects %s with exit 2 and a clear message', async (_name, content, message) => {
    const dir = await workDir();
    if (content !== null) await writeFile(join(dir, 'nope.json'), content);

    const { code, stdout, stderr } = await run(['report', 'nope.json'], dir);

    expect(code).toBe(ExitCode.Usage);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('    at ');
  });

  test('rejects an unknown --format as a usage error', async () => {
    const dir = await workDir();

    const { code, stderr } = await run(['report', fixtureFile, '--format', 'pdf'], dir);

    expect(code).toBe(ExitCode.Usage);
    expect(stderr).toContain("argument 'pdf' is invalid");
  });

  test('colours only when stdout is a TTY and no file is written', async () => {
    const dir = await workDir();

    const tty = await run(['report', fixtureFile], dir, true);
    const plain = await run(['report', fixtureFile], dir, false);

    expect(tty.stdout).toContain('\u001b[1m');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
