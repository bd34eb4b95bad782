// Writes a trace as version 2 text (JSON lines) that streams and diffs well: the header (with the
// conversation count) on line 1, then one conversation per line in start order.

import { TRACE_FORMAT, TRACE_VERSION, type TraceContent, type TraceConversation, type TraceHeader } from './format.js';

/** The trace's header line (no newline). */
export function renderTraceHeader(content: Omit<TraceContent, 'conversations'>, conversations: number): string {
  const { recordedAt, target, payload, durationUs, peakConcurrency } = content;
  const header: TraceHeader = { format: TRACE_FORMAT, version: TRACE_VERSION, recordedAt, ...(target === undefined ? {} : { target }), payload, durationUs, peakConcurrency, conversations };
  return JSON.stringify(header);
}

/** One conversation's line (no newline). */
export function renderConversationLine(conversation: TraceConversation): string {
  return JSON.stringify(conversation);
}

/** The trace as version 2 text (with a final newline); conversations sorted by start, then id. */
export function renderTrace(content: TraceContent): string {
  const ordered = [...content.conversations].sort((a, b) => a.startUs - b.startUs || a.id - b.id);
  return [renderTraceHeader(content, ordered.length), ...ordered.map(renderConversationLine), ''].join('\n');
}
