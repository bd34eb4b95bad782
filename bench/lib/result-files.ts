// Reads the suite's result files (bench/results/*.json) without trusting them: each is a regular
// file under the result cap (src/fs/read-input.ts), JSON, and of the shape the README tables
// read; anything else is refused with the file's name (ERR_RESULT_INVALID, exit 2). Then picks,
// per entry, the newest file that measured it (or failed it). Schema 1 files (half-range spread,
// no steadiness) are read with the spread and steadiness recomputed from their rounds.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ExitCode, HarnessError } from '../../src/errors.js';
import { readInputFile } from '../../src/fs/read-input.js';
import { classifySpread, perRoundRatios, ratioSpread, type Steadiness } from './steadiness.js';

/** Code of an unreadable, malformed, too large or too new bench result file (exit 2). */
export const ERR_RESULT_INVALID = 'ERR_RESULT_INVALID';
/** Highest bench result schemaVersion this reader understands. */
export const BENCH_SCHEMA_VERSION = 2;
/** At most this many result files are read from one folder. */
export const MAX_RESULT_FILES = 10_000;

const text = z.string().max(10_000);
const detail = z.record(z.string().max(200), z.number().nullable()).optional();
const figure = z.looseObject({ value: z.number(), detail, unjudgeable: text.optional() });
const round = z.looseObject({ round: z.number().int().min(0), side: z.enum(['hcbench', 'reference']), figure });
const side = z.looseObject({ medianValue: z.number(), minValue: z.number(), maxValue: z.number(), detail: z.record(z.string().max(200), z.number().nullable()) });
const head = { id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/), title: text, issue: text, unit: text.max(100), better: z.enum(['higher', 'lower']), interrupted: z.literal(true).optional() };
const entry = z.discriminatedUnion('status', [
  z.looseObject({
    ...head,
    status: z.literal('measured'),
    rounds: z.array(round).max(1000),
    hcbench: side,
    reference: side,
    ratio: z.number().nullable(),
    spread: z.number().nullable(),
    steadiness: z.enum(['steady', 'noisy', 'unknown']).optional(),
  }),
  z.looseObject({ ...head, status: z.literal('failed'), error: text }),
  z.looseObject({ ...head, status: z.literal('skipped'), reason: text }),
  z.looseObject({ ...head, status: z.literal('pending'), reason: text }),
]);
const report = z.looseObject({
  schemaVersion: z.number().int().min(1),
  startedAt: z.iso.datetime(),
  isQuick: z.boolean(),
  rounds: z.number().int().min(1),
  machine: z.looseObject({ cpuModel: text.max(200), cpuCount: z.number().int().min(1), node: text.max(100), kernel: text.max(200).optional(), loadAverage1m: z.number().optional() }),
  entries: z.array(entry).max(1000),
});

/** One entry as the README tables read it (steadiness always set). */
export type ResultEntry = z.infer<typeof entry> & { steadiness?: Steadiness };
/** A checked result file: its name in the folder, and its content. */
export interface ResultFile {
  name: string;
  startedAtMs: number;
  report: z.infer<typeof report>;
}

function invalid(file: string, message: string, hint?: string): HarnessError {
  return new HarnessError(ERR_RESULT_INVALID, ExitCode.Usage, `${file}: ${message}`, hint === undefined ? {} : { hint });
}

/** Checks the text of one result file; `file` names it in every refusal. */
export function parseBenchResult(bytes: string, file: string): ResultFile['report'] {
  let data: unknown;
  try {
    data = JSON.parse(bytes);
  } catch (cause) {
    throw invalid(file, `not JSON (${cause instanceof Error ? cause.message : String(cause)})`, 'remove or move the file, or re-run npm run bench');
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > BENCH_SCHEMA_VERSION) {
    throw invalid(file, `bench result schemaVersion ${version} is newer than this reader (${BENCH_SCHEMA_VERSION})`);
  }
  const parsed = report.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message.toLowerCase()}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    throw invalid(file, `not a bench result: ${issues.join('; ')}${more}`, 'remove or move the file, or re-run npm run bench');
  }
  const result = parsed.data;
  for (const e of result.entries) {
    // Schema 1 stored half the range as spread; recompute the current definition from the rounds.
    if (e.status === 'measured' && (result.schemaVersion < 2 || e.steadiness === undefined)) {
      e.spread = ratioSpread(perRoundRatios(e.rounds));
      e.steadiness = classifySpread(e.spread);
    }
  }
  return result;
}

/** Reads and checks every `*.json` in `dir`, newest first (by startedAt, then by name). Refuses the first bad file. */
export async function loadResultFiles(dir: string): Promise<ResultFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw invalid(dir, `cannot list the results folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'run npm run bench first');
  }
  if (names.length > MAX_RESULT_FILES) throw invalid(dir, `holds ${names.length} result files, more than ${MAX_RESULT_FILES}`, 'move old results elsewhere');
  const files: ResultFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const read = await readInputFile(path, 'result');
    if (!read.ok) throw invalid(path, read.reason, 'remove or move the file, or re-run npm run bench');
    const parsed = parseBenchResult(read.bytes.toString('utf8'), path);
    files.push({ name, startedAtMs: Date.parse(parsed.startedAt), report: parsed });
  }
  return files.sort((a, b) => b.startedAtMs - a.startedAtMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** Where an entry's row comes from: the newest file in which it was measured or failed. */
export interface EntryPick {
  file: ResultFile;
  entry: ResultEntry;
}

/**
 * Per id, the newest file (of `newestFirst`) holding that entry as measured or failed. Skipped
 * and pending entries hold no measurement (a missing tool, an interrupted suite) and never
 * replace an older measurement; neither does an entry the interrupt cut (partial figures, or
 * "suite interrupted"). Ids with no such file are absent from the map.
 */
export function newestPerEntry(newestFirst: readonly ResultFile[], ids: readonly string[]): Map<string, EntryPick> {
  const picks = new Map<string, EntryPick>();
  for (const id of ids) {
    for (const file of newestFirst) {
      const found = file.report.entries.find((e) => e.id === id && (e.status === 'measured' || e.status === 'failed') && e.interrupted !== true);
      if (found !== undefined) {
        picks.set(id, { file, entry: found });
        break;
      }
    }
  }
  return picks;
}
