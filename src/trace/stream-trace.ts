// Reads a version 2 trace (JSON lines) a conversation at a time, never whole: line 1 is the header,
// then one conversation per line. Each line is checked as it is read (JSON syntax, schema, payload
// rules, start order) and the count against the header's at the end, so a truncated file is found;
// every problem is a ScenarioError (exit 3) naming the file, `conversations[k]…` and the line.
// Memory: one line at a time (at most the trace cap), whatever the file's length.

import { ScenarioError, type Issue } from '../errors.js';
import { INPUT_MAX_BYTES, openInputFile } from '../fs/read-input.js';
import { createTraceLocator } from './locate.js';
import { TRACE_FORMAT, TRACE_VERSION, traceConversationSchema, traceHeaderSchema, type TraceConversation, type TraceHeader } from './format.js';
import { RECORD_HINT, unsupportedVersion } from './read-trace.js';
import { issueAt, MAX_ISSUES, payloadIssues, schemaIssues, show, type Place } from './trace-issues.js';
import { LineTooLongError, readLines, type NumberedLine } from './trace-lines.js';

/** Longest line read (the header or one conversation), bytes. */
export const MAX_LINE_BYTES = INPUT_MAX_BYTES.trace;

const placeOf = (text: string, line: number, prefix: Place['prefix']): Place => ({ locator: createTraceLocator(text), prefix, lineOffset: line - 1 });

/** The line's text and JSON value; a NUL byte or bad syntax is an issue at the line (and column). */
function parseLine(file: string, line: NumberedLine, what: string): { text: string; data: unknown } {
  if (line.bytes.includes(0)) throw new ScenarioError(file, [{ path: '', message: `${what} is binary (contains NUL bytes), expected JSON`, line: line.number, column: 1 }]);
  const text = line.bytes.toString('utf8');
  try {
    return { text, data: JSON.parse(text) };
  } catch (cause) {
    if (text.trim() === '') throw new ScenarioError(file, [{ path: '', message: `${what} is empty: a version ${TRACE_VERSION} trace has one JSON object per line`, line: line.number, column: 1 }]);
    const position = createTraceLocator(text).syntax();
    const detail = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
    throw new ScenarioError(file, [{ path: '', message: `${what} is not valid JSON (truncated or not a trace): ${detail.slice(0, 120)}`, line: line.number, column: position?.column ?? 1 }]);
  }
}

/**
 * True when a file's first line is read as a version 2 header: an object without a conversations
 * array, or text that does not parse but is not the start of a version 1 document either (a bare
 * `{`, or a one-line document naming its conversations) — it is then reported as a bad header.
 */
export function looksLikeHeader(line: NumberedLine | undefined): boolean {
  if (line === undefined || line.bytes.includes(0)) return false;
  const text = line.bytes.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !Array.isArray((value as Record<string, unknown>)['conversations']);
  } catch {
    return text.trim() !== '' && text.trim() !== '{' && !/"conversations"\s*:\s*\[/.test(text);
  }
}

/** Line 1 of a version 2 trace, checked: the format marker, the version, then the schema. */
export function parseHeaderLine(file: string, line: NumberedLine): TraceHeader {
  const { text, data } = parseLine(file, line, 'the header line');
  const record = data as Record<string, unknown>;
  const place = placeOf(text, line.number, []);
  if (record['format'] !== TRACE_FORMAT) throw new ScenarioError(file, [issueAt(place, ['format'], `must be "${TRACE_FORMAT}", got ${show(record['format'])}: not an hcbench trace`, RECORD_HINT)]);
  if (record['version'] !== TRACE_VERSION) throw new ScenarioError(file, [issueAt(place, ['version'], unsupportedVersion(record['version']))]);
  const parsed = traceHeaderSchema.safeParse(data);
  if (!parsed.success) throw new ScenarioError(file, schemaIssues(place, parsed.error));
  return parsed.data;
}

function parseConversationLine(file: string, line: NumberedLine, index: number, isFull: boolean): TraceConversation {
  const { text, data } = parseLine(file, line, `conversations[${index}]`);
  const parsed = traceConversationSchema.safeParse(data);
  const place = placeOf(text, line.number, ['conversations', index]);
  if (!parsed.success) throw new ScenarioError(file, schemaIssues(place, parsed.error));
  const issues: Issue[] = payloadIssues(place, [], parsed.data, isFull, MAX_ISSUES);
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return parsed.data;
}

function tooLong(file: string, error: unknown): unknown {
  if (!(error instanceof LineTooLongError)) return error;
  return new ScenarioError(file, [{ path: '', message: `line ${error.lineNumber} is longer than the ${error.maxLineBytes}-byte limit of one trace line`, line: error.lineNumber, column: 1 }]);
}

/**
 * The conversations of the version 2 trace `file`, in file order, each checked as it is read;
 * `onHeader` gets the header first. Throws ScenarioError on the first bad line, on a conversation
 * that starts before the one above it, and on a count that differs from the header's.
 */
export async function* streamConversations(file: string, onHeader?: (header: TraceHeader) => void): AsyncGenerator<TraceConversation> {
  const opened = await openInputFile(file);
  if (!opened.ok) throw new ScenarioError(file, [{ path: '', message: opened.reason }]);
  try {
    const lines = readLines(opened.handle, MAX_LINE_BYTES);
    let header: TraceHeader | undefined;
    let index = 0;
    let lastStartUs = 0;
    let lastLine = 0;
    try {
      for await (const line of lines) {
        lastLine = line.number;
        if (header === undefined) {
          header = parseHeaderLine(file, line);
          onHeader?.(header);
          continue;
        }
        if (index >= header.conversations) {
          if (line.bytes.length === 0) continue;
          throw new ScenarioError(file, [{ path: '', message: `more conversation lines than the header's ${header.conversations}`, line: line.number, column: 1 }]);
        }
        const conversation = parseConversationLine(file, line, index, header.payload === 'full');
        if (conversation.startUs < lastStartUs) {
          throw new ScenarioError(file, [{ path: `conversations[${index}].startUs`, message: `starts at ${conversation.startUs} µs, before the conversation above it (${lastStartUs} µs): a version ${TRACE_VERSION} trace lists conversations in start order`, line: line.number, column: 1 }]);
        }
        lastStartUs = conversation.startUs;
        index += 1;
        yield conversation;
      }
    } catch (error) {
      throw tooLong(file, error);
    }
    if (header === undefined) throw new ScenarioError(file, [{ path: '', message: 'file is empty, expected a JSON trace' }]);
    if (index < header.conversations) {
      throw new ScenarioError(file, [{ path: `conversations[${index}]`, message: `missing: the header says ${header.conversations} conversations, the file ends after ${index} (truncated)`, line: lastLine + 1, column: 1 }]);
    }
  } finally {
    await opened.handle.close().catch(() => {});
  }
}
