// Opens a trace of either version for reading and checks all of it once, in one pass with bounded
// memory: a version 2 file (JSON lines) is streamed, a version 1 document (capped) is read whole.
// The result says what the trace is (header, counts of the conversations a replay uses) and reads
// its conversations again, in start order, as often as asked. Every problem is a ScenarioError
// (exit 3) with the file, key and line.

import { stat } from 'node:fs/promises';
import { ScenarioError } from '../errors.js';
import { openInputFile } from '../fs/read-input.js';
import { TRACE_VERSION_DOCUMENT, type TraceConversation, type TraceInfo } from './format.js';
import { readTraceDocument } from './read-trace.js';
import { looksLikeHeader, MAX_LINE_BYTES, streamConversations } from './stream-trace.js';
import { LineTooLongError, readLines, type NumberedLine } from './trace-lines.js';

/** What a replay needs to know of the conversations with at least one turn (the ones it replays). */
export interface TraceStats {
  /** Conversations with a turn. */
  replayable: number;
  /** The longest of them, µs (0 without any). */
  longestUs: number;
  /** The first and last start among them, µs. */
  firstStartUs: number;
  lastStartUs: number;
}

/** A checked trace: what it says, and its conversations on demand. */
export interface TraceSource {
  file: string;
  info: TraceInfo;
  stats: TraceStats;
  /** Every conversation (turns or not), in start order, read afresh on every call. */
  conversations(): AsyncGenerator<TraceConversation>;
}

/** Most checked version 2 traces remembered (header and counts only: a few hundred bytes each). */
const MAX_REMEMBERED = 16;
/** Version 2 traces checked whole in this process, by path, with the identity of the file then. */
const remembered = new Map<string, { identity: string; source: TraceSource }>();

/** Device, inode, size and change time: a file rewritten in any way gets another identity. */
async function identityOf(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file, { bigint: true });
    return s.isFile() ? `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : undefined;
  } catch {
    return undefined;
  }
}

/** The file's first line, or undefined when it has none or it is too long to be a header. */
async function firstLine(file: string): Promise<NumberedLine | undefined> {
  const opened = await openInputFile(file);
  if (!opened.ok) throw new ScenarioError(file, [{ path: '', message: opened.reason }]);
  try {
    for await (const line of readLines(opened.handle, MAX_LINE_BYTES)) return line;
    return undefined;
  } catch (error) {
    if (error instanceof LineTooLongError) return undefined;
    throw error;
  } finally {
    await opened.handle.close().catch(() => {});
  }
}

async function* fromArray(conversations: readonly TraceConversation[]): AsyncGenerator<TraceConversation> {
  for (const c of conversations) yield c;
}

/**
 * Checks the trace `file` whole (streamed: memory does not grow with its length) and returns it
 * as a source; `visit` sees every conversation of that pass (a summary is built in it). Without
 * `visit`, an unchanged version 2 file checked before in this process is not checked again.
 */
export async function openTrace(file: string, visit?: (conversation: TraceConversation) => void): Promise<TraceSource> {
  // A version 2 trace checked before and not changed since (the scenario's load, then each step)
  // is not checked whole again: a replay's start does not wait for a pass over a long file. Its
  // lines are still checked as the replay reads them.
  const identity = visit === undefined ? await identityOf(file) : undefined;
  const known = identity === undefined ? undefined : remembered.get(file);
  if (known !== undefined && known.identity === identity) return known.source;
  const source = await checkTrace(file, visit);
  if (identity !== undefined && source.info.version !== TRACE_VERSION_DOCUMENT) {
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
    remembered.set(file, { identity, source });
  }
  return source;
}

async function checkTrace(file: string, visit?: (conversation: TraceConversation) => void): Promise<TraceSource> {
  const stats: TraceStats = { replayable: 0, longestUs: 0, firstStartUs: 0, lastStartUs: 0 };
  const count = (c: TraceConversation): void => {
    visit?.(c);
    if (c.turns.length === 0) return;
    if (stats.replayable === 0) stats.firstStartUs = c.startUs;
    stats.replayable += 1;
    stats.longestUs = Math.max(stats.longestUs, c.durationUs);
    stats.lastStartUs = c.startUs;
  };
  if (!looksLikeHeader(await firstLine(file))) {
    const document = await readTraceDocument(file);
    const { conversations, format: _format, $schema: _schema, ...header } = document;
    const ordered = [...conversations].sort((a, b) => a.startUs - b.startUs || a.id - b.id);
    for (const c of ordered) count(c);
    return { file, info: { ...header, version: TRACE_VERSION_DOCUMENT, conversations: conversations.length }, stats, conversations: () => fromArray(ordered) };
  }
  let info: TraceInfo | undefined;
  for await (const c of streamConversations(file, ({ format: _format, $schema: _schema, ...header }) => (info = header))) count(c);
  if (info === undefined) throw new ScenarioError(file, [{ path: '', message: 'file is empty, expected a JSON trace' }]);
  return { file, info, stats, conversations: () => streamConversations(file) };
}

/** Every conversation of a source in one array: for small traces only (tests, tools), never a replay. */
export async function collectConversations(source: TraceSource): Promise<TraceConversation[]> {
  const all: TraceConversation[] = [];
  for await (const c of source.conversations()) all.push(c);
  return all;
}
