// The trace file contract: the committed JSON Schema is the generated one, a rendered trace reads
// back equal, and every kind of bad trace (malformed, truncated, foreign, wrong version, wrong
// value, payload rules, oversized, not a file) is exit 3 naming the file, the key and, where it
// can, line and column — through `hcbench replay-summary` and through a scenario that names it.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { INPUT_MAX_BYTES } from '../../src/fs/read-input.js';
import { traceJsonSchema, type Trace } from '../../src/trace/format.js';
import { parseTraceText } from '../../src/trace/read-trace.js';
import { renderTrace } from '../../src/trace/render.js';
import { summarizeTrace } from '../../src/trace/summary.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hcbench-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const turn = (requestBytes: number, responseBytes: number, extra: Record<string, unknown> = {}) => ({ thinkUs: 100, requestBytes, serverUs: 50, responseBytes, responseUs: 5, ...extra });
const sample: Trace = {
  format: 'hcbench-trace',
  version: 1,
  recordedAt: '2025-01-01T00:00:00.000Z',
  target: '127.0.0.1:5432',
  payload: 'sizes',
  durationUs: 20_000,
  peakConcurrency: 2,
  conversations: [
    { id: 0, startUs: 0, connectUs: 80, durationUs: 9_000, end: 'client-closed', turns: [turn(8, 1), turn(90, 400), turn(60, 200), turn(5, 0)] },
    { id: 1, startUs: 1_000, connectUs: 70, durationUs: 4_000, end: 'server-closed', turns: [turn(0, 30), turn(40, 60)] },
  ],
};

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('trace file format', () => {
  test('the committed trace.schema.json is the generated one, and accepts a rendered trace', () => {
    const committed = readFileSync('scenarios/traces/trace.schema.json', 'utf8');
    expect(committed).toBe(`${JSON.stringify(traceJsonSchema(), null, 2)}\n`);
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(committed) as object);
    expect(validate(JSON.parse(renderTrace(sample))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...sample, conversations: [{ ...sample.conversations[0], turns: [{ thinkUs: -1 }] }] })).toBe(false);
  });

  test('a rendered trace reads back equal, one conversation per line', () => {
    const text = renderTrace(sample);
    expect(parseTraceText(Buffer.from(text), 'x.json')).toEqual(sample);
    expect(text.split('\n').filter((line) => line.startsWith('    {"id":')).length).toBe(sample.conversations.length);
  });

  test('the summary counts round trips (answered turns) per conversation and sizes', () => {
    const s = summarizeTrace(sample);
    expect(s.turns).toBe(6);
    expect(s.roundTrips).toBe(5);
    expect(s.roundTripsPerConversation.max).toBe(3);
    expect(s.totalRequestBytes).toBe(8 + 90 + 60 + 5 + 40);
    expect(s.totalResponseBytes).toBe(1 + 400 + 200 + 30 + 60);
    expect(s.requestBytes.min).toBe(5);
    expect(s.responseBytes.p50).toBeLessThanOrEqual(s.responseBytes.p99);
  });
});

describe('bad trace files: exit 3 with the key and position, no stack', () => {
  const good = renderTrace(sample);
  const lines = good.split('\n');
  const badValueLine = lines.findIndex((l) => l.includes('"id":1,')) + 1;
  const payloadLine = lines.findIndex((l) => l.includes('"payload"')) + 1;
  const cases: [string, string, RegExp][] = [
    ['truncated', good.slice(0, Math.floor(good.length / 2)), /:\d+:\d+: is not valid JSON \(truncated or not a trace\)/],
    ['malformed', good.replace('"payload": "sizes",', '"payload": "sizes",,'), new RegExp(`:${payloadLine}:\\d+: is not valid JSON`)],
    ['foreign JSON', JSON.stringify({ name: 'not a trace', version: 1 }), /format: must be "hcbench-trace", got nothing: not an hcbench trace/],
    ['newer version', good.replace('"version": 1', '"version": 2'), /:3:\d+ version: trace version 2 is not supported; this hcbench reads version 1/],
    ['negative size', good.replace('{"id":1,"startUs":1000,"connectUs":70,"durationUs":4000,"end":"server-closed","turns":[{"thinkUs":100,"requestBytes":0', '{"id":1,"startUs":1000,"connectUs":70,"durationUs":4000,"end":"server-closed","turns":[{"thinkUs":100,"requestBytes":-3'), new RegExp(`:${badValueLine}:\\d+ conversations\\[1\\]\\.turns\\[0\\]\\.requestBytes: too small`)],
    ['unknown key', good.replace('"turns":[{"thinkUs":100,"requestBytes":8', '"turns":[{"thinkUs":100,"bogus":1,"requestBytes":8'), /conversations\[0\]\.turns\[0\]: unrecognized key.*\(bogus\)/],
    ['bytes in a sizes trace', good.replace('"requestBytes":8,', '"requestBytes":8,"request":"AAAAAAAAAAA=",'), /conversations\[0\]\.turns\[0\]\.request: carries bytes, but the trace says `payload: sizes`/],
    ['full trace without bytes', good.replace('"payload": "sizes"', '"payload": "full"'), /conversations\[0\]\.turns\[0\]\.request: is required when the trace says `payload: full`/],
    ['binary', '\0\0\0', /file is binary/],
    ['empty', '  \n', /file is empty/],
  ];
  test.each(cases)('%s', async (name, text, message) => {
    const file = write(`${name.replace(/\W+/g, '-')}.json`, text);
    const run = await runCli(['replay-summary', file]);
    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(file);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a trace over the size limit is refused by its size before it is read; a folder is not a file', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, INPUT_MAX_BYTES.trace + 1);
    const run = await runCli(['replay-summary', big]);
    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
    expect(run.stderr).toContain(`is larger than the ${INPUT_MAX_BYTES.trace}-byte limit for a trace file`);
    expect(run.stderr).toContain('record a shorter window');
    mkdirSync(join(dir, 'folder.json'));
    const folder = await runCli(['replay-summary', join(dir, 'folder.json')]);
    expect(folder.exitCode).toBe(ExitCode.InvalidScenario);
    expect(folder.stderr).toMatch(/is a directory|expected a regular file/);
  });

  test('a scenario naming a bad trace fails validation (exit 3) naming the trace file; a recorded replay of a sizes trace is refused', async () => {
    write('good.json', good);
    write('bad.json', good.slice(0, 100));
    const scenario = (trace: string, target: string, targetKind: string) =>
      write(`s-${trace}-${target}.yaml`, `name: s\ntarget: ${targetKind}\npaths: [{ kind: direct }]\nworkload: { kind: replay, trace: ${trace}, target: ${target} }\n`);
    const bad = await runCli(['validate', scenario('bad.json', 'built-in', '{ kind: tcp-request-response }')]);
    expect(bad.exitCode).toBe(ExitCode.InvalidScenario);
    expect(bad.stderr).toContain(join(dir, 'bad.json'));
    const sizes = await runCli(['validate', scenario('good.json', 'recorded', '{ kind: external, address: "127.0.0.1:5432" }')]);
    expect(sizes.exitCode).toBe(ExitCode.InvalidScenario);
    expect(sizes.stderr).toContain('workload.trace: good.json was recorded with --payload sizes: target recorded needs the bytes');
    const wrongTarget = await runCli(['validate', scenario('good.json', 'built-in', '{ kind: external, address: "127.0.0.1:5432" }')]);
    expect(wrongTarget.exitCode).toBe(ExitCode.InvalidScenario);
    expect(wrongTarget.stderr).toContain('workload.target: built-in needs `target.kind` `tcp-request-response`');
    const ok = await runCli(['validate', scenario('good.json', 'built-in', '{ kind: tcp-request-response }')]);
    expect(ok.exitCode, ok.stderr).toBe(ExitCode.Ok);
  });
});
