import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatIssue, ScenarioError } from '../../src/errors.js';
import { loadScenarioFile, parseScenarioText } from '../../src/scenario/load.js';

const valid = `name: t
target:
  kind: tcp-request-response
paths:
  - kind: direct
  - kind: relay-emulated
workload:
  kind: tcp-request-response
  connections: 2
`;

function issuesOf(text: string | Buffer): ScenarioError {
  try {
    parseScenarioText(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario loading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hcbench-scenario-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('applies defaults and keeps given values', () => {
    const scenario = parseScenarioText(valid, 'ok.yaml');

    expect(scenario.workload).toEqual({
      kind: 'tcp-request-response',
      connections: 2,
      roundTripsPerTransaction: 1,
      requestBytes: 64,
      responseBytes: 64,
    });
    expect(scenario).toMatchObject({ description: '', durationMs: 5000, warmupMs: 1000, repetitions: 1, order: 'alternate', network: 'loopback' });
  });

  test('loads the shipped quickstart scenario', async () => {
    const scenario = await loadScenarioFile('scenarios/quickstart.yaml');

    expect(scenario.paths.map((p) => p.kind)).toEqual(['direct', 'relay-emulated']);
  });

  test('reads JSON with the same parser and locates issues in it', async () => {
    const file = join(dir, 's.json');
    await writeFile(file, '{\n  "name": "j",\n  "target": {"kind": "tcp-request-response"},\n  "paths": [{"kind": "direct"}],\n  "workload": {"kind": "tcp-request-response", "connections": 0}\n}\n');

    const error = await loadScenarioFile(file).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ScenarioError);
    const issue = (error as ScenarioError).issues[0];
    expect(issue).toMatchObject({ path: 'workload.connections', line: 5 });
    expect(issue?.message).toBe('must be >= 1, got 0');
  });

  test('a missing file is a ScenarioError naming the file', async () => {
    const error = await loadScenarioFile(join(dir, 'missing.yaml')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).exitCode).toBe(3);
    expect((error as ScenarioError).message).toContain('missing.yaml: file not found');
  });

  test.each([
    ['unknown key with suggestion', valid.replace('connections: 2', 'conections: 2'), 'workload.conections', 9, 'did you mean `connections`?'],
    ['zero connections', valid.replace('connections: 2', 'connections: 0'), 'workload.connections', 9, 'must be >= 1, got 0'],
    ['wrong type', valid.replace('connections: 2', 'connections: two'), 'workload.connections', 9, 'must be a number, got "two"'],
    ['fractional', valid.replace('connections: 2', 'connections: 1.5'), 'workload.connections', 9, 'must be an integer, got 1.5'],
    ['bad path kind', valid.replace('kind: relay-emulated', 'kind: relay-emulatd'), 'paths[1].kind', 6, 'did you mean `relay-emulated`?'],
    ['missing name', valid.replace('name: t\n', ''), 'name', undefined, 'is required'],
    ['huge number', valid.replace('connections: 2', 'connections: 1e308'), 'workload.connections', 9, 'must be <= 10000'],
    ['duplicate path ids', valid.replace('kind: relay-emulated', 'kind: direct'), 'paths[1].kind', 6, 'must be unique'],
    ['request smaller than the header', valid.replace('connections: 2', 'requestBytes: 4'), 'workload.requestBytes', 9, 'must be >= 8, got 4'],
  ])('%s is reported with its key and line', (_name, text, path, line, fragment) => {
    const error = issuesOf(text);

    const issue = error.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    if (line !== undefined) expect(issue?.line).toBe(line);
    expect(formatIssue('bad.yaml', issue!)).toContain(fragment);
  });

  test.each([
    ['empty file', '', 'file is empty'],
    ['only whitespace', '  \n\n', 'file is empty'],
    ['binary garbage', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00]), 'binary'],
    ['syntax error', 'name: [unclosed\n', 'syntax error'],
    ['a list, not a mapping', '- a\n- b\n', 'must be a mapping'],
    ['duplicate key', 'name: a\nname: b\n', 'syntax error'],
  ])('%s yields a ScenarioError, not a crash', (_name, text, fragment) => {
    const error = issuesOf(text);

    expect(error.exitCode).toBe(3);
    expect(error.issues.map((i) => i.message).join('\n')).toContain(fragment);
  });

  test('collects every issue in one pass, in source order', () => {
    const text = valid.replace('connections: 2', 'connections: 0\n  bogus: 1\n  requestBytes: -1');

    const error = issuesOf(text);

    expect(error.issues.map((i) => i.path)).toEqual(['workload.connections', 'workload.bogus', 'workload.requestBytes']);
  });
});
