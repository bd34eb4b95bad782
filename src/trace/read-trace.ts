// Reads a version 1 trace (one JSON document) without trusting it: type and size checked before
// reading (fs/read-input.ts, 64 MiB cap: a larger document is refused with the limit named, never
// half-read), no NUL bytes, JSON syntax, the `format` marker and `version` first (a foreign or
// newer file is named as such), then the schema and the cross-field rules. Every problem becomes a
// ScenarioError (exit 3) that names the file, the key path and, where the text is small enough to
// locate, line and column. Version 2 (JSON lines) is streamed by stream-trace.ts; open-trace.ts
// tells them apart.

import { ScenarioError, type Issue } from '../errors.js';
import { INPUT_MAX_BYTES, readInputFile } from '../fs/read-input.js';
import { createTraceLocator } from './locate.js';
import { TRACE_FORMAT, TRACE_VERSION, TRACE_VERSION_DOCUMENT, traceSchema, type Trace } from './format.js';
import { issueAt, MAX_ISSUES, payloadIssues, schemaIssues, show, type Place } from './trace-issues.js';

/** Hint for a file that is not a trace at all. */
export const RECORD_HINT = 'record one with `hcbench record --listen 127.0.0.1:PORT --target HOST:PORT --out trace.json`';

/** The message for a version this hcbench does not read. */
export function unsupportedVersion(version: unknown): string {
  return `trace version ${show(version)} is not supported; this hcbench reads version ${TRACE_VERSION_DOCUMENT} (one JSON document) and version ${TRACE_VERSION} (JSON lines)`;
}

/** Reads and validates `file` as a version 1 document; throws ScenarioError (exit 3) for every kind of bad input. */
export async function readTraceDocument(file: string): Promise<Trace> {
  const read = await readInputFile(file, 'trace');
  if (!read.ok) {
    const hint = read.reason.includes('limit') ? `a version 1 trace (one JSON document) is read whole, at most ${INPUT_MAX_BYTES.trace} bytes; record it again: version 2 (JSON lines) is streamed` : undefined;
    throw new ScenarioError(file, [{ path: '', message: read.reason, ...(hint === undefined ? {} : { hint }) }]);
  }
  return parseTraceText(read.bytes, file);
}

/** Parses and validates version 1 trace text; `file` is used only in messages. */
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
  const place: Place = { locator: createTraceLocator(text), prefix: [], lineOffset: 0 };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError(file, [{ path: '', message: 'must be a JSON object written by `hcbench record`', line: 1, column: 1 }]);
  }
  const record = data as Record<string, unknown>;
  if (record['format'] !== TRACE_FORMAT) {
    throw new ScenarioError(file, [issueAt(place, ['format'], `must be "${TRACE_FORMAT}", got ${show(record['format'])}: not an hcbench trace`, RECORD_HINT)]);
  }
  if (record['version'] !== TRACE_VERSION_DOCUMENT) throw new ScenarioError(file, [issueAt(place, ['version'], unsupportedVersion(record['version']))]);
  const parsed = traceSchema.safeParse(data);
  if (!parsed.success) throw new ScenarioError(file, schemaIssues(place, parsed.error));
  const issues: Issue[] = [];
  const isFull = parsed.data.payload === 'full';
  parsed.data.conversations.forEach((c, i) => {
    if (issues.length < MAX_ISSUES) issues.push(...payloadIssues(place, ['conversations', i], c, isFull, MAX_ISSUES - issues.length));
  });
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return parsed.data;
}
