// Problems found in a trace as Issues that name the key path and, where the text can be located,
// the line and column: for a version 1 document the locator spans the whole file; for a version 2
// conversation it spans that one line (the path is prefixed with `conversations[k]` and the line
// number added). Pure.

import type { z } from 'zod';
import type { Issue } from '../errors.js';
import type { TraceConversation } from './format.js';
import type { TraceLocator } from './locate.js';

/** Most issues listed for one file; a broken generator repeats the same mistake everywhere. */
export const MAX_ISSUES = 20;

type Path = readonly (string | number)[];

/** Where located text sits in the file. */
export interface Place {
  locator: TraceLocator;
  /** Path of the located text's root in the trace (`['conversations', 3]` for a v2 line; `[]` for a document). */
  prefix: Path;
  /** Line of the located text's first line, minus one. */
  lineOffset: number;
}

/** `conversations[3].turns[0].requestBytes` from a path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');
}

/** An issue at `path` (relative to the place's root). */
export function issueAt(place: Place, path: Path, message: string, hint?: string): Issue {
  const position = place.locator.at(path);
  const located = position === undefined ? {} : { line: position.line + place.lineOffset, column: position.column };
  return { path: formatPath([...place.prefix, ...path]), message, ...(hint === undefined ? {} : { hint }), ...located };
}

/** A zod failure as issues (at most {@link MAX_ISSUES}). */
export function schemaIssues(place: Place, error: z.ZodError): Issue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return issueAt(place, path, `${issue.message.toLowerCase()}${keys}`);
  });
}

const PAYLOAD_KEYS = [['request', 'requestBytes'], ['response', 'responseBytes']] as const;

/** Payloads present exactly when the trace says `payload: full`, and of the recorded sizes. `at`: the conversation's path under the place. */
export function payloadIssues(place: Place, at: Path, conversation: TraceConversation, isFull: boolean, room: number): Issue[] {
  const issues: Issue[] = [];
  const { turns } = conversation;
  for (let t = 0; t < turns.length && issues.length < room; t++) {
    const turn = turns[t];
    if (turn === undefined) continue;
    for (const [key, sizeKey] of PAYLOAD_KEYS) {
      const payload = turn[key];
      // The common case (a sizes trace without bytes) allocates nothing.
      if (!isFull && payload === undefined) continue;
      const path = [...at, 'turns', t, key];
      if (!isFull) issues.push(issueAt(place, path, 'carries bytes, but the trace says `payload: sizes`'));
      else if (payload === undefined) issues.push(issueAt(place, path, 'is required when the trace says `payload: full`'));
      else if (Buffer.byteLength(payload, 'base64') !== turn[sizeKey]) {
        issues.push(issueAt(place, path, `holds ${Buffer.byteLength(payload, 'base64')} bytes, but ${sizeKey} is ${turn[sizeKey]}`));
      }
    }
  }
  return issues;
}

/** A value for a message, shortened. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
