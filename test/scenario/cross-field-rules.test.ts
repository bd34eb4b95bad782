// Rules that span fields hold for every form a scenario takes: for each matrix variant (not only
// the base workload), for faults against the length of their steps, and for command-line overrides
// of durations and repetitions, which go through the scenario's own validation (exit 3 naming the flag).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const base = (workload: string, paths = '[{ kind: direct }]', extra = '') => `name: rules
target: { kind: tcp-request-response }
paths: ${paths}
workload:
${workload}
durationMs: 1000
warmupMs: 200
${extra}`;

const scenarios: Record<string, string> = {
  variant: base('  kind: tcp-request-response\n  connections: 4\n  generators: 2\n  matrix: { connections: [4, 1] }'),
  variants: base('  kind: tcp-request-response\n  connections: 8\n  generators: 4\n  matrix: { connections: [8, 2, 1], requestBytes: [64, 128] }'),
  goodMatrix: base('  kind: tcp-request-response\n  connections: 4\n  generators: 2\n  matrix: { connections: [2, 4] }'),
  lateFault: base('  kind: tcp-request-response\n  connections: 1', '\n  - kind: relay-emulated\n    faults: [{ atMs: 1200, action: cut-connections }]'),
  fault: base('  kind: tcp-request-response\n  connections: 1', '\n  - kind: relay-emulated\n    faults: [{ atMs: 900, action: cut-connections }]'),
  short: base('  kind: tcp-request-response\n  connections: 1'),
};
let dir = '';
const file = (name: string) => join(dir, `${name}.yaml`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-rules-'));
  for (const [name, text] of Object.entries(scenarios)) await writeFile(file(name), text);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('matrix variants obey the cross-field rules', () => {
  test('a variant with fewer connections than generators is refused at validate time, naming the variant', async () => {
    const { exitCode, stderr } = await runCli(['validate', file('variant')]);

    expect(stderr).toMatch(/variant\.yaml:8:\d+ workload\.matrix\.connections\[1\]: variant \[connections=1\]: `generators` must be <= connections \(1\)/);
    expect(exitCode).toBe(ExitCode.InvalidScenario);
  });

  test('each broken variant is reported once, every value that breaks the rule by name', async () => {
    const { exitCode, stderr } = await runCli(['validate', file('variants')]);

    expect(stderr).toContain('workload.matrix.connections[1]: variant [connections=2,requestBytes=64]: `generators` must be <= connections (2)');
    expect(stderr).toContain('workload.matrix.connections[2]: variant [connections=1,requestBytes=64]: `generators` must be <= connections (1)');
    expect(stderr).toContain('2 problems');
    expect(exitCode).toBe(ExitCode.InvalidScenario);
  });

  test('a matrix whose variants all hold validates', async () => {
    const { exitCode, stdout } = await runCli(['validate', file('goodMatrix')]);

    expect(stdout).toContain(': ok');
    expect(exitCode).toBe(ExitCode.Ok);
  });
});

describe('faults fall inside their steps', () => {
  test('a fault at or after warm-up + duration is refused with the step length', async () => {
    const { exitCode, stderr } = await runCli(['validate', file('lateFault')]);

    expect(stderr).toMatch(/paths\[0\]\.faults\[0\]\.atMs: must be < 1200, the warm-up \+ duration of the steps of workload `tcp-request-response` \(a later fault never fires\), got 1200/);
    expect(exitCode).toBe(ExitCode.InvalidScenario);
  });

  test('a fault inside the step validates; shortening the step past it with --duration-ms is refused before the run', async () => {
    const validated = await runCli(['validate', file('fault')]);
    const shortened = await runCli(['run', file('fault'), '--no-save', '--duration-ms', '500']);

    expect(validated.exitCode).toBe(ExitCode.Ok);
    expect(shortened.stderr).toMatch(/atMs: must be < 700, .*, got 900 \(steps set by --duration-ms 500\)/);
    expect(shortened.exitCode).toBe(ExitCode.InvalidScenario);
    expect(shortened.stderr).not.toContain('starting paths');
  });

  test('the shipped agent-failover scenario fires its fault within its steps', async () => {
    const { exitCode } = await runCli(['validate', 'scenarios/agent-failover.yaml']);

    expect(exitCode).toBe(ExitCode.Ok);
  });
});

describe('command-line overrides obey the schema rules', () => {
  test.each([
    [['--duration-ms', '0'], ExitCode.InvalidScenario, /durationMs: must be >= 1, got 0 \(set by --duration-ms 0\)/],
    [['--warmup-ms', '86400000', '--repetitions', '2'], ExitCode.InvalidScenario, /more than 24 h/],
    [['--repetitions', '0'], ExitCode.Usage, /must be a whole number from 1 to 100, got "0"/],
    [['--duration-ms', '-5'], ExitCode.Usage, /must be a whole number of milliseconds/],
  ])('run %j is refused before any step runs', async (flags, exitCode, message) => {
    const { exitCode: code, stderr } = await runCli(['run', file('short'), '--no-save', ...flags]);

    expect(stderr).toMatch(message);
    expect(code).toBe(exitCode);
    expect(stderr).not.toContain('starting paths');
  });

  test('capacity --duration-ms 0 is refused', async () => {
    const { exitCode, stderr } = await runCli(['capacity', file('short'), '--duration-ms', '0']);

    expect(stderr).toMatch(/at least 1 ms/);
    expect(exitCode).toBe(ExitCode.Usage);
  });
});
