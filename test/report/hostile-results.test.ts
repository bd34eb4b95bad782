// A result file's histograms are checked once at load, for every command that reads results:
// a histogram that inflates to 400 MB, garbage, a 50 MB `encoded`, wrong HDR parameters and a
// summary count that the histogram does not hold all exit 2 with the field's JSON path, at once.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflate, deflateSync } from 'node:zlib';
import hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { checkEncodedHistogram, MAX_INFLATED_BYTES } from '../../src/metrics/histogram-check.js';
import { HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS, createLatencyHistogram, recordUs } from '../../src/metrics/histogram.js';
import { REPORT_FORMATS } from '../../src/report/index.js';
import { runCli } from '../helpers/cli.js';

const LATENCY = { lowest: LOWEST_US, highest: HIGHEST_US, significantDigits: SIGNIFICANT_DIGITS };
const fixtureFile = new URL('../fixtures/results/quickstart-run.json', import.meta.url).pathname;
let dir = '';

/** V2 header (40 bytes) for the latency parameters with `payloadLength`. */
function header(payloadLength: number, highest = HIGHEST_US): Buffer {
  const b = Buffer.alloc(40);
  b.writeInt32BE(0x1c849313, 0);
  b.writeInt32BE(payloadLength, 4);
  b.writeInt32BE(SIGNIFICANT_DIGITS, 12);
  b.writeBigInt64BE(BigInt(LOWEST_US), 16);
  b.writeBigInt64BE(BigInt(highest), 24);
  b.writeBigInt64BE(1n, 32);
  return b;
}

function compressed(deflated: Buffer): string {
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(0x1c849314, 0);
  prefix.writeInt32BE(deflated.length, 4);
  return Buffer.concat([prefix, deflated]).toString('base64');
}

/** A histogram whose payload inflates to `mb` MB of zero bytes (counts of 0), deflated in 1 MB steps. */
async function inflatesTo(mb: number): Promise<string> {
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = once(deflate, 'end');
  const total = mb * 1024 * 1024;
  deflate.write(header(total));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mb; i++) if (!deflate.write(zeros)) await once(deflate, 'drain');
  deflate.end();
  await done;
  return compressed(Buffer.concat(chunks));
}

type Mutate = (result: { steps: { metrics: { histograms: Record<string, { encoded: string; summary: { count: number } }> } }[] }) => void;

async function writeVariant(name: string, mutate: Mutate): Promise<string> {
  const result = JSON.parse(await readFile(fixtureFile, 'utf8')) as Parameters<Mutate>[0];
  mutate(result);
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(result));
  return path;
}

const cases: { name: string; mutate: (bombs: Record<number, string>) => Mutate; path: string; problem: RegExp }[] = [
  // The file: ~550 kB of base64 that inflates to 400 MB; refused by its length alone.
  { name: 'bomb400', mutate: (bombs) => (r) => (r.steps[1]!.metrics.histograms['transaction']!.encoded = bombs[400]!), path: 'steps.1.metrics.histograms.transaction.encoded', problem: /characters long, more than the 262144/ },
  // Short enough to pass the length check: the inflate limit stops it.
  { name: 'bomb100', mutate: (bombs) => (r) => (r.steps[1]!.metrics.histograms['transaction']!.encoded = bombs[100]!), path: 'steps.1.metrics.histograms.transaction.encoded', problem: new RegExp(`inflates to more than ${MAX_INFLATED_BYTES} bytes`) },
  { name: 'garbage', mutate: () => (r) => (r.steps[0]!.metrics.histograms['roundTrip']!.encoded = 'not a histogram!'), path: 'steps.0.metrics.histograms.roundTrip.encoded', problem: /is not base64/ },
  { name: 'huge', mutate: () => (r) => (r.steps[0]!.metrics.histograms['connect']!.encoded = 'A'.repeat(50_000_000)), path: 'steps.0.metrics.histograms.connect.encoded', problem: /is 50000000 characters long/ },
  { name: 'cookie', mutate: () => (r) => (r.steps[0]!.metrics.histograms['roundTrip']!.encoded = Buffer.alloc(64, 7).toString('base64')), path: 'steps.0.metrics.histograms.roundTrip.encoded', problem: /wrong cookie/ },
  { name: 'params', mutate: () => (r) => (r.steps[0]!.metrics.histograms['roundTrip']!.encoded = compressed(deflateSync(header(0, 1000)))), path: 'steps.0.metrics.histograms.roundTrip.encoded', problem: /HDR parameters lowest 1, highest 1000/ },
  { name: 'count', mutate: () => (r) => (r.steps[0]!.metrics.histograms['roundTrip']!.summary.count += 1), path: 'steps.0.metrics.histograms.roundTrip.summary.count', problem: /does not match the \d+ values/ },
];
const files = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-hostile-results-'));
  const bombs = { 100: await inflatesTo(100), 400: await inflatesTo(400) };
  for (const c of cases) files.set(c.name, await writeVariant(c.name, c.mutate(bombs)));
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('checkEncodedHistogram', () => {
  test('accepts what the recorder encodes and returns its count', () => {
    const histogram = createLatencyHistogram();
    for (const us of [1, 50, 50, 9_000, HIGHEST_US]) recordUs(histogram, us);

    expect(checkEncodedHistogram(hdr.encodeIntoCompressedBase64(histogram), LATENCY)).toEqual({ ok: true, totalCount: 5 });
  });

  test('refuses counts that walk past the end of the counts array', () => {
    const zigzagRun = Buffer.from([0xff, 0xff, 0xff, 0x7f]); // -(2^27) zero counts, then one count
    const payload = Buffer.concat([zigzagRun, Buffer.from([2])]);

    expect(checkEncodedHistogram(compressed(deflateSync(Buffer.concat([header(payload.length), payload]))), LATENCY)).toMatchObject({ ok: false, problem: /outside the histogram range/ });
  });
});

describe('commands refuse a result with a damaged histogram, with exit 2 and the JSON path', () => {
  const commands = [...REPORT_FORMATS.map((format) => ['report', format]), ['compare', 'baseline'], ['compare', 'current']];

  test.each(cases.flatMap((c) => commands.map(([command, how]) => [c.name, command!, how!] as const)))('%s: %s %s', async (name, command, how) => {
    const c = cases.find((candidate) => candidate.name === name)!;
    const file = files.get(name)!;
    const argv = command === 'report' ? ['report', file, '--format', how] : how === 'baseline' ? ['compare', file, fixtureFile] : ['compare', fixtureFile, file];
    const started = Date.now();

    const run = await runCli(argv, { cwd: dir });

    expect(run.stderr).toContain(`error[ERR_RESULT_INVALID]: ${file}: ${c.path}: `);
    expect(run.stderr).toMatch(c.problem);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Refused from the header, not after inflating or decoding: well under the 17 s of the issue.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
