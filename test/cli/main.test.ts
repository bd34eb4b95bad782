import { describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

describe('hcbench CLI exit codes', () => {
  test('unknown option exits 2 with usage help', async () => {
    const { exitCode, stderr } = await runCli(['run', '--bogus']);

    expect(exitCode).toBe(ExitCode.Usage);
    expect(stderr).toContain("unknown option '--bogus'");
  });

  test('unknown command exits 2', async () => {
    const { exitCode } = await runCli(['frobnicate']);

    expect(exitCode).toBe(ExitCode.Usage);
  });

  test('a bad millisecond value exits 2', async () => {
    const { exitCode, stderr } = await runCli(['run', 'scenarios/quickstart.yaml', '--duration-ms', 'soon']);

    expect(exitCode).toBe(ExitCode.Usage);
    expect(stderr).toContain('must be a whole number of milliseconds');
  });

  test('--help exits 0 and lists the commands', async () => {
    const { exitCode, stdout } = await runCli(['--help']);

    expect(exitCode).toBe(ExitCode.Ok);
    expect(stdout).toContain('run');
    expect(stdout).toContain('validate');
  });

  test('a missing scenario exits 3 naming the file, without a stack trace', async () => {
    const { exitCode, stderr } = await runCli(['run', 'missing.yaml']);

    expect(exitCode).toBe(ExitCode.InvalidScenario);
    expect(stderr).toContain('missing.yaml: file not found');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('validate prints every issue with line and key and exits 3', async () => {
    const { exitCode, stderr } = await runCli(['validate', 'test/fixtures/invalid-two-issues.yaml']);

    expect(exitCode).toBe(ExitCode.InvalidScenario);
    expect(stderr).toContain('test/fixtures/invalid-two-issues.yaml:9:3 workload.conections: unknown key — did you mean `connections`?');
    expect(stderr).toContain('test/fixtures/invalid-two-issues.yaml:10:15 workload.durationMs: must be >= 1, got 0');
  });

  test('validate accepts the shipped scenarios', async () => {
    const { exitCode, stdout } = await runCli(['validate', 'scenarios/quickstart.yaml']);

    expect(exitCode).toBe(ExitCode.Ok);
    expect(stdout).toContain('scenarios/quickstart.yaml: ok');
  });
});

describe('hcbench init', () => {
  test('writes a starter scenario that validates, and refuses to overwrite it', async () => {
    const { mkdtemp, rm, copyFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-init-'));
    try {
      await copyFile('scenarios/schema.json', join(dir, 'schema.json'));

      const first = await runCli(['init', 'starter.yaml'], { cwd: dir });
      const validated = await runCli(['validate', join(dir, 'starter.yaml')]);
      const second = await runCli(['init', 'starter.yaml'], { cwd: dir });

      expect(first.exitCode, first.stderr).toBe(ExitCode.Ok);
      expect(validated.exitCode, validated.stderr).toBe(ExitCode.Ok);
      expect(second.exitCode).toBe(ExitCode.Usage);
      expect(second.stderr).toContain('exists');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
