// The trace file contract: the committed JSON Schema is the generated one, a rendered trace
// (version 2, JSON lines) reads back equal, a version 1 document still reads, and every kind of bad
// trace (malformed, truncated, foreign, wrong version, wrong value, payload rules, out of order,
// oversized, not a file) is exit 3 naming the file, the key and, where it can, line and column —
// through `hcbench replay-summary` and through a scenario that names it.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { INPUT_MAX_BYTES } from '../../src/fs/read-input.js';
import { traceJsonSchema, type Trace, type TraceContent } from '../../src/trace/format.js';
import { collectConversations, openTrace } from '../../src/trace/open-trace.js';
import { renderTrace } from '../../src/trace/render.js';
import { summarizeTrace } from '../../src/trace/summary.js';
import { LineTooLongError, readLines } from '../../src/trace/trace-lines.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hcbench-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const turn = (requestBytes: number, responseBytes: number, extra: Record<string, unknown> = {}) => ({ thinkUs: 100, requestBytes, serverUs: 50, responseBytes, responseUs: 5, ...extra });
const sample: TraceContent = {
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
const documentV1: Trace = { format: 'hcbench-trace', version: 1, ...sample };

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('trace file format', () => {
  test('the committed trace.schema.json is the generated one, and accepts every line of a rendered trace and a version 1 document', () => {
    const committed = readFileSync('scenarios/traces/trace.schema.json', 'utf8');
    expect(committed).toBe(`${JSON.stringify(traceJsonSchema(), null, 2)}\n`);
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(committed) as object);
    const lines = renderTrace(sample).trimEnd().split('\n');
    for (const line of lines) expect(validate(JSON.parse(line)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(documentV1), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...sample.conversations[0], turns: [{ thinkUs: -1 }] })).toBe(false);
    expect(validate({ ...JSON.parse(lines[0] ?? '{}'), conversations: -1 })).toBe(false);
  });

  test('a rendered trace is a header line and one line per conversation, and reads back equal; a version 1 document still reads', async () => {
    const text = renderTrace(sample);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + sample.conversations.length);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ format: 'hcbench-trace', version: 2, conversations: 2 });
    for (const [name, body] of [['v2.json', text], ['v1.json', JSON.stringify(documentV1, null, 2)], ['v1-one-line.json', JSON.stringify(documentV1)]] as const) {
      const source = await openTrace(write(name, body));
      expect(source.info).toMatchObject({ payload: 'sizes', durationUs: 20_000, peakConcurrency: 2, conversations: 2, version: name.startsWith('v2') ? 2 : 1 });
      expect(source.stats).toEqual({ replayable: 2, longestUs: 9_000, firstStartUs: 0, lastStartUs: 1_000 });
      // Read twice: every call reads afresh.
      expect(await collectConversations(source)).toEqual(sample.conversations);
      expect(await collectConversations(source)).toEqual(sample.conversations);
    }
  });

  test('an unchanged version 2 trace is checked whole once per process; a rewritten one is checked again', async () => {
    const file = write('remembered.json', renderTrace(sample));
    const first = await openTrace(file);
    expect(await openTrace(file)).toBe(first);
    // Rewritten (a conversation cut off the end, the header left as it was): checked again and refused.
    const lines = renderTrace(sample).trimEnd().split('\n');
    writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`);
    await expect(openTrace(file)).rejects.toThrow(/the header says 2 conversations, the file ends after 1 \(truncated\)/);
    // With a visitor (a summary) the pass always runs.
    writeFileSync(file, renderTrace(sample));
    const seen: number[] = [];
    await openTrace(file, (c) => seen.push(c.id));
    await openTrace(file, (c) => seen.push(c.id));
    expect(seen).toEqual([0, 1, 0, 1]);
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

  test('lines are split at every chunk boundary and bounded: a line past the bound is refused with its number', async () => {
    const body = ['a', '', 'bb\r', 'x'.repeat(300_000), 'tail'].join('\n');
    const file = write('lines.txt', body);
    const handle = await open(file);
    const got: [number, string][] = [];
    for await (const line of readLines(handle, 400_000)) got.push([line.number, line.bytes.toString()]);
    await handle.close();
    expect(got).toEqual([[1, 'a'], [2, ''], [3, 'bb'], [4, 'x'.repeat(300_000)], [5, 'tail']]);
    const bounded = await open(file);
    const read = async (): Promise<number> => {
      let n = 0;
      for await (const _line of readLines(bounded, 1000)) n += 1;
      return n;
    };
    await expect(read()).rejects.toEqual(new LineTooLongError(4, 1000));
    await bounded.close();
  });
});

describe('bad trace files: exit 3 with the key and position, no stack', () => {
  const good = renderTrace(sample);
  const lines = good.split('\n');
  const [header = '', first = '', second = ''] = lines;
  const v1 = JSON.stringify(documentV1, null, 2);
  const cases: [string, string, RegExp][] = [
    ['truncated mid-line', good.slice(0, good.length - 20), /:3:\d+: conversations\[1\] is not valid JSON \(truncated or not a trace\)/],
    ['truncated at a line', `${header}\n${first}\n`, /:3:1 conversations\[1\]: missing: the header says 2 conversations, the file ends after 1 \(truncated\)/],
    ['extra line', `${good}${second}\n`, /:4:1: more conversation lines than the header's 2/],
    ['malformed', good.replace('"payload":"sizes",', '"payload":"sizes",,'), /:1:\d+: the header line is not valid JSON/],
    ['foreign JSON', JSON.stringify({ name: 'not a trace', version: 1 }), /:1:1 format: must be "hcbench-trace", got nothing: not an hcbench trace/],
    ['foreign JSON lines', '{"level":"info","msg":"a log"}\n{"level":"info","msg":"another"}\n', /:1:1 format: must be "hcbench-trace", got nothing: not an hcbench trace/],
    ['newer version', good.replace('"version":2', '"version":3'), /:1:\d+ version: trace version 3 is not supported; this hcbench reads version 1 \(one JSON document\) and version 2 \(JSON lines\)/],
    ['negative size', good.replace('"end":"server-closed","turns":[{"thinkUs":100,"requestBytes":0', '"end":"server-closed","turns":[{"thinkUs":100,"requestBytes":-3'), /:3:\d+ conversations\[1\]\.turns\[0\]\.requestBytes: too small/],
    ['unknown key', good.replace('"turns":[{"thinkUs":100,"requestBytes":8', '"turns":[{"thinkUs":100,"bogus":1,"requestBytes":8'), /:2:\d+ conversations\[0\]\.turns\[0\]: unrecognized key.*\(bogus\)/],
    ['bytes in a sizes trace', good.replace('"requestBytes":8,', '"requestBytes":8,"request":"AAAAAAAAAAA=",'), /:2:\d+ conversations\[0\]\.turns\[0\]\.request: carries bytes, but the trace says `payload: sizes`/],
    ['full trace without bytes', good.replace('"payload":"sizes"', '"payload":"full"'), /:2:\d+ conversations\[0\]\.turns\[0\]\.request: is required when the trace says `payload: full`/],
    ['out of start order', `${header}\n${second}\n${first}\n`, /:3:1 conversations\[1\]\.startUs: starts at 0 µs, before the conversation above it \(1000 µs\)/],
    ['blank line inside', `${header}\n\n${first}\n${second}\n`, /:2:1: conversations\[0\] is empty/],
    ['version 1 truncated', v1.slice(0, Math.floor(v1.length / 2)), /:\d+:\d+: is not valid JSON \(truncated or not a trace\)/],
    ['version 1 negative size', v1.replace('"requestBytes": 8', '"requestBytes": -8'), /:\d+:\d+ conversations\[0\]\.turns\[0\]\.requestBytes: too small/],
    ['version 1 document saying 2', v1.replace('"version": 1', '"version": 2'), /:3:\d+ version: trace version 2 is not supported/],
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

  test('a one-document trace over the size limit is refused by its size before it is parsed; a folder is not a file', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, INPUT_MAX_BYTES.trace + 1);
    const run = await runCli(['replay-summary', big]);
    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
    expect(run.stderr).toContain(`is larger than the ${INPUT_MAX_BYTES.trace}-byte limit for a trace file`);
    expect(run.stderr).toContain('version 2 (JSON lines) is streamed');
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
