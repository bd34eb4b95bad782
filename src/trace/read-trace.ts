// Reads a trace file without trusting it: type and size checked before reading (fs/read-input.ts,
// 64 MiB cap: a larger recording is refused with the limit named, never half-read), no NUL bytes,
// JSON syntax, the `format` marker and `version` first (a foreign or newer file is named as such),
// then the schema and the cross-field rules. Every problem becomes a ScenarioError (exit 3) that
// names the file, the key path and, where the text is small enough to locate, line and column.

import { ScenarioError, type Issue } from '../errors.js';
import { INPUT_MAX_BYTES, readInputFile } from '../fs/read-input.js';
import { createTraceLocator, type TraceLocator } from './locate.js';
import { TRACE_FORMAT, TRACE_VERSION, traceSchema, type Trace } from './format.js';

/** Most issues listed for one file; a broken generator repeats the same mistake everywhere. */
const MAX_ISSUES = 20;

/** `conversations[3].turns[0].requestBytes` from a path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');
}

function issueAt(locator: TraceLocator, path: readonly (string | number)[], message: string, hint?: string): Issue {
  const position = locator.at(path);
  return { path: formatPath(path), message, ...(hint === undefined ? {} : { hint }), ...(position ?? {}) };
}

/** Reads and validates `file` as a trace; throws ScenarioError (exit 3) for every kind of bad input. */
export async function readTraceFile(file: string): Promise<Trace> {
  const read = await readInputFile(file, 'trace');
  if (!read.ok) {
    const hint = read.reason.includes('limit') ? `a trace is read whole; record a shorter window (at most ${INPUT_MAX_BYTES.trace} bytes)` : undefined;
    throw new ScenarioError(file, [{ path: '', message: read.reason, ...(hint === undefined ? {} : { hint }) }]);
  }
  return parseTraceText(read.bytes, file);
}

/** Parses and validates trace text; `file` is used only in messages. */
export function parseTraceText(bytes: Buffer, file: string): Trace {
  if (bytes.includes(0)) throw new ScenarioError(file, [{ path: '', message: 'file is binary (contains NUL bytes), expected a JSON trace' }]);
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new ScenarioError(file, [{ path: '', message: 'file is empty, expected a JSON trace' }]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const position = createTraceLocator(text).syntax();
    const detail = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
    throw new ScenarioError(file, [{ path: '', message: `is not valid JSON (truncated or not a trace): ${detail.slice(0, 120)}`, ...(position ?? {}) }]);
  }
  const locator = createTraceLocator(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError(file, [{ path: '', message: 'must be a JSON object written by `hcbench record`', line: 1, column: 1 }]);
  }
  const record = data as Record<string, unknown>;
  if (record['format'] !== TRACE_FORMAT) {
    throw new ScenarioError(file, [issueAt(locator, ['format'], `must be "${TRACE_FORMAT}", got ${show(record['format'])}: not an hcbench trace`, 'record one with `hcbench record --listen 127.0.0.1:PORT --target HOST:PORT --out trace.json`')]);
  }
  if (record['version'] !== TRACE_VERSION) {
    throw new ScenarioError(file, [issueAt(locator, ['version'], `trace version ${show(record['version'])} is not supported; this hcbench reads version ${TRACE_VERSION}`)]);
  }
  const parsed = traceSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((issue) => {
      const path = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
      const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      return issueAt(locator, path, `${issue.message.toLowerCase()}${keys}`);
    });
    throw new ScenarioError(file, issues);
  }
  const problems = crossCheck(parsed.data, locator);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return parsed.data;
}

/** Rules beyond the schema: payloads present exactly when `payload` is full, and of the recorded sizes. */
function crossCheck(trace: Trace, locator: TraceLocator): Issue[] {
  const issues: Issue[] = [];
  const isFull = trace.payload === 'full';
  for (let c = 0; c < trace.conversations.length && issues.length < MAX_ISSUES; c++) {
    const turns = trace.conversations[c]?.turns ?? [];
    for (let t = 0; t < turns.length && issues.length < MAX_ISSUES; t++) {
      const turn = turns[t];
      if (turn === undefined) continue;
      for (const [key, sizeKey] of [['request', 'requestBytes'], ['response', 'responseBytes']] as const) {
        const payload = turn[key];
        const path = ['conversations', c, 'turns', t, key];
        if (!isFull && payload !== undefined) issues.push(issueAt(locator, path, 'carries bytes, but the trace says `payload: sizes`'));
        if (isFull && payload === undefined) issues.push(issueAt(locator, path, 'is required when the trace says `payload: full`'));
        if (isFull && payload !== undefined && Buffer.byteLength(payload, 'base64') !== turn[sizeKey]) {
          issues.push(issueAt(locator, path, `holds ${Buffer.byteLength(payload, 'base64')} bytes, but ${sizeKey} is ${turn[sizeKey]}`));
        }
      }
    }
  }
  return issues;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
