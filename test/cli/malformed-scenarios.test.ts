// Every malformed scenario exits 3 with a message naming the file, the line and the key, never a
// stack trace, and before any socket opens (the run never reaches "starting paths").

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const ok = `name: m
target: { kind: tcp-request-response }
paths:
  - kind: direct
  - kind: relay-emulated
workload:
  kind: tcp-request-response
  connections: 1
`;
const w = (line: string) => ok.replace('  connections: 1', line);
const deep = `name: deep\nx: ${'['.repeat(200)}${']'.repeat(200)}\n`;
const deepest = `name: deep\nx: ${'['.repeat(400_000)}${']'.repeat(400_000)}\n`;
const deepJson = `{"name": "deep",\n "x": ${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}}`;
const deepBlock = `name: deep\n${Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i)}a:\n`).join('')}${' '.repeat(1400)}1\n`;
const deepSequence = `name: deep\nx: \n  ${'- '.repeat(500_000)}1\n`;

// [name, file text, expected key (or '' for whole-file problems), expected line (or undefined)]
const cases: [string, string | Buffer, string, number | undefined][] = [
  ['empty file', '', '', undefined],
  ['whitespace only', '\n  \n', '', undefined],
  ['binary garbage', Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 7]), '', undefined],
  ['unclosed flow list', 'name: [a\n', '', 2],
  ['bad indentation', 'name: a\n  target: b\n c: d\n', '', 1],
  ['duplicate key', 'name: a\nname: b\n', '', 2],
  ['tab indentation', 'name: a\ntarget:\n\tkind: x\n', '', 3],
  ['a list at top level', '- 1\n- 2\n', '', 1],
  ['a scalar at top level', 'just text\n', '', 1],
  ['broken JSON', '{"name": "x",', '', 1],
  ['unknown top-level key', `${ok}bogus: 1\n`, 'bogus', 9],
  ['misspelt top-level key', ok.replace('paths:', 'pahts:'), 'pahts', 3],
  ['unknown workload key', w('  conections: 1'), 'workload.conections', 8],
  ['zero connections', w('  connections: 0'), 'workload.connections', 8],
  ['negative connections', w('  connections: -3'), 'workload.connections', 8],
  ['fractional connections', w('  connections: 2.5'), 'workload.connections', 8],
  ['string connections', w('  connections: many'), 'workload.connections', 8],
  ['huge connections', w('  connections: 1e300'), 'workload.connections', 8],
  ['null connections', w('  connections: null'), 'workload.connections', 8],
  ['list for a number', w('  connections: [1, 2]'), 'workload.connections', 8],
  ['zero round trips', w('  roundTripsPerTransaction: 0'), 'workload.roundTripsPerTransaction', 8],
  ['request below the header', w('  requestBytes: 7'), 'workload.requestBytes', 8],
  ['zero response', w('  responseBytes: 0'), 'workload.responseBytes', 8],
  ['huge response', w('  responseBytes: 999999999999'), 'workload.responseBytes', 8],
  ['negative think time', w('  thinkTimeMs: -1'), 'workload.thinkTimeMs', 8],
  ['more generators than connections', w('  generators: 2'), 'workload.generators', 8],
  ['spin wait out of range', w('  load: { model: open, ratePerSec: 10, spinWaitMs: 9 }'), 'workload.load.spinWaitMs', 8],
  ['unknown connection mode', w('  connectionMode: pooled'), 'workload.connectionMode', 8],
  ['open load without rate', w('  load: { model: open }'), 'workload.load.ratePerSec', 8],
  ['open load with zero rate and no stages', w('  load: { model: open, ratePerSec: 0 }'), 'workload.load.ratePerSec', 8],
  ['unknown load model', w('  load: { model: burst }'), 'workload.load.model', 8],
  ['uniform min above max', w('  requestBytesDistribution: { distribution: uniform, minBytes: 900, maxBytes: 100 }'), 'workload.requestBytesDistribution.minBytes', 8],
  ['choice weights mismatch', w('  responseBytesDistribution: { distribution: choice, bytes: [1, 2], weights: [1] }'), 'workload.responseBytesDistribution.weights', 8],
  ['unknown workload kind', ok.replace('kind: tcp-request-response\n  connections', 'kind: tcp-request-reponse\n  connections'), 'workload.kind', 7],
  ['workload missing', ok.replace(/workload:[\s\S]*$/, ''), 'workload', undefined],
  ['workload and workloads', `${ok}workloads:\n  - kind: tcp-request-response\n`, 'workloads', 10],
  ['duplicate workload ids', `${ok.replace(/workload:[\s\S]*$/, '')}workloads:\n  - kind: tcp-request-response\n  - kind: tcp-request-response\n`, 'workloads[1].kind', 8],
  ['no paths', ok.replace('  - kind: direct\n  - kind: relay-emulated\n', '  []\n'), 'paths', 4],
  ['unknown path kind', ok.replace('kind: relay-emulated', 'kind: relay-emulatd'), 'paths[1].kind', 5],
  ['duplicate paths', ok.replace('kind: relay-emulated', 'kind: direct'), 'paths[1].kind', 5],
  ['too many agents', ok.replace('kind: relay-emulated', 'kind: relay-emulated\n    agents: 51'), 'paths[1].agents', 6],
  ['stop-agent beyond the agents', ok.replace('kind: relay-emulated', 'kind: relay-emulated\n    faults: [{ atMs: 1, action: stop-agent, agent: 3 }]'), 'paths[1].faults[0].agent', 6],
  ['unknown network profile', `${ok}network: same-regoin\n`, 'network', 9],
  ['negative delay', `${ok}network: { direct: { oneWayDelayMs: -5 } }\n`, 'network.direct.oneWayDelayMs', 9],
  ['zero duration', `${ok}durationMs: 0\n`, 'durationMs', 9],
  ['negative warm-up', `${ok}warmupMs: -1\n`, 'warmupMs', 9],
  ['string duration', `${ok}durationMs: 5s\n`, 'durationMs', 9],
  ['too many repetitions', `${ok}repetitions: 1000\n`, 'repetitions', 9],
  ['a run longer than a day', `${ok}durationMs: 86400000\nrepetitions: 3\n`, 'durationMs', 9],
  ['unknown order', `${ok}order: shuffled\n`, 'order', 9],
  ['matrix on an unknown key', w('  matrix: { roundTrips: [1, 2] }'), 'workload.matrix.roundTrips', 8],
  ['matrix with an invalid value', w('  matrix: { roundTripsPerTransaction: [1, 0] }'), 'workload.matrix.roundTripsPerTransaction[1]', 8],
  ['empty matrix list', w('  matrix: { roundTripsPerTransaction: [] }'), 'workload.matrix.roundTripsPerTransaction', 8],
  ['name with spaces', ok.replace('name: m', 'name: my scenario'), 'name', 1],
  ['missing name', ok.replace('name: m\n', ''), 'name', undefined],
  ['external target without port', ok.replace('target: { kind: tcp-request-response }', 'target: { kind: external, address: redis }'), 'target.address', 2],
  ['dialog on the built-in target', `${ok.replace(/workload:[\s\S]*$/, '')}workload:\n  kind: dialog\n  steps: [{ expect: { bytes: 1 } }]\n`, 'workload.kind', 7],
  ['unknown output format', `${ok}output: { formats: [pdf] }\n`, 'output.formats[0]', 9],
  ['deep nesting', deep, '', 2],
  ['400k brackets', deepest, '', 2],
  ['150k nested JSON objects', deepJson, '', 2],
  ['1400 levels of block mappings', deepBlock, '', 66],
  ['500k compact sequences', deepSequence, '', 3],
];

describe('malformed scenarios', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hcbench-malformed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the table is large enough', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases)('%s → exit 3 naming the line and the key', async (_name, text, key, line) => {
    const file = join(dir, `case-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);

    const validated = await runCli(['validate', file]);
    const run = await runCli(['run', file, '--no-save']);

    for (const { exitCode, stderr } of [validated, run]) {
      expect(exitCode, stderr).toBe(ExitCode.InvalidScenario);
      expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      const where = line === undefined ? file : `${file}:${line}:`;
      const issueLine = stderr.split('\n').find((l) => l.includes(where) && (key === '' || l.includes(` ${key}: `)));
      expect(issueLine, `expected an issue at ${where} for key '${key}' in:\n${stderr}`).toBeDefined();
    }
    expect(run.stderr).not.toContain('starting paths');
  });

  test.each([
    ['[ ] or { }', deepest],
    ['[ ] or { }', deepJson],
    ['indentation or `- `', deepBlock],
    ['indentation or `- `', deepSequence],
  ])('refuses deep nesting (%s) with a clear message, not a stack overflow', async (what, text) => {
    const file = join(dir, `deep-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);

    const { exitCode, stderr } = await runCli(['validate', file]);

    expect(stderr).toContain(`nests deeper than 64 levels of ${what}`);
    expect(stderr).not.toMatch(/call stack/i);
    expect(exitCode).toBe(ExitCode.InvalidScenario);
  });
});

describe('nesting after parsing', () => {
  test('data nested deeper than the limit in a form the text scans do not count is refused after parsing', async () => {
    const { parseScenarioText } = await import('../../src/scenario/load.js');
    // 40 block levels holding 40 flow levels: each scan alone stays within 64.
    const text = `name: deep\n${Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} ${'['.repeat(40)}${']'.repeat(40)}\n`;

    expect(() => parseScenarioText(text, 'deep.yaml')).toThrow(/nests deeper than 64 levels/);
  });
});
