// The trace file contract (`hcbench record` writes it, the replay workload and `hcbench
// replay-summary` read it), as zod schemas: validation, TypeScript types and the published JSON
// Schema (scenarios/traces/trace.schema.json) come from them. Versioned, stable enough to commit:
// every time is an integer of microseconds, every size an integer of bytes.
// - Version 2 (written): JSON lines, so a trace of any length is read a conversation at a time.
//   Line 1 is the header (counts included, so a truncated file is found), then one conversation
//   per line in start order.
// - Version 1 (still read): one JSON document holding the conversations array (read whole, capped).
// Pure; no I/O.

import { z } from 'zod';

/** The `format` marker every trace carries, so a foreign JSON file is refused by name. */
export const TRACE_FORMAT = 'hcbench-trace';
/** The version `hcbench record` writes (JSON lines). Bump on any incompatible change. */
export const TRACE_VERSION = 2;
/** The first version (one JSON document), still read. */
export const TRACE_VERSION_DOCUMENT = 1;
/** Largest payload of one direction of one turn, bytes (1 GiB, the built-in target's limit). */
export const MAX_TURN_BYTES = 1024 * 1024 * 1024;
/** Most conversations one trace may hold. */
export const MAX_CONVERSATIONS = 1_000_000;
/** Most turns one conversation may hold. */
export const MAX_TURNS = 1_000_000;
/** Largest time value, µs (24 h). */
const MAX_US = 86_400_000_000;

const us = (description: string) => z.number().int().min(0).max(MAX_US).describe(description);
const bytes = (description: string) => z.number().int().min(0).max(MAX_TURN_BYTES).describe(description);
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const traceTurnSchema = z
  .strictObject({
    thinkUs: us('client idle before this turn: from the previous turn\'s last server byte (the connect, for the first turn) to this turn\'s first client byte'),
    requestBytes: bytes('bytes the client sent in this turn'),
    serverUs: us('server time to first byte: the turn\'s last client byte to its first server byte, seen at the recorder (includes the recorder ↔ server network); 0 without a response'),
    responseBytes: bytes('bytes the server answered in this turn (0: none before the client spoke again or closed)'),
    responseUs: us('first to last server byte of this turn'),
    request: base64.optional().describe('the client bytes, base64 (`--payload full` only)'),
    response: base64.optional().describe('the server bytes, base64 (`--payload full` only)'),
  })
  .describe('one turn: client bytes, then the server bytes that answered them');

export const traceConversationSchema = z
  .strictObject({
    id: z.number().int().min(0).describe('connection number, in accept order from 0'),
    startUs: us('when the client connected, from the start of the recording'),
    connectUs: us('how long the recorder took to connect to the target'),
    durationUs: us('connected to closed'),
    end: z.enum(['client-closed', 'server-closed', 'error', 'recording-stopped']).describe('how the connection ended'),
    turns: z.array(traceTurnSchema).max(MAX_TURNS).describe('the conversation, in order'),
  })
  .describe('one client connection, from connect to close');

const headerFields = {
  $schema: z.string().optional(),
  format: z.literal(TRACE_FORMAT).describe('always "hcbench-trace"'),
  recordedAt: z.string().max(64).describe('ISO time the recording started'),
  target: z.string().max(300).optional().describe('host:port the recorder forwarded to (informational)'),
  payload: z.enum(['sizes', 'full']).describe('sizes: no bytes stored (the default); full: every turn carries its bytes'),
  durationUs: us('recording length'),
  peakConcurrency: z.number().int().min(0).max(MAX_CONVERSATIONS).describe('most conversations open at once'),
};

/** Version 2, line 1: what the recording was, and how many conversation lines follow. */
export const traceHeaderSchema = z
  .strictObject({
    ...headerFields,
    version: z.literal(TRACE_VERSION).describe('format version: 2, JSON lines'),
    conversations: z.number().int().min(0).max(MAX_CONVERSATIONS).describe('how many conversation lines follow (one per line, in start order)'),
  })
  .describe('an hcbench traffic trace, version 2 (JSON lines): this header on line 1, then one conversation per line');

/** Version 1: one document with every conversation. */
export const traceSchema = z
  .strictObject({
    ...headerFields,
    version: z.literal(TRACE_VERSION_DOCUMENT).describe('format version: 1, one document'),
    conversations: z.array(traceConversationSchema).max(MAX_CONVERSATIONS).describe('every connection, in accept order'),
  })
  .describe('an hcbench traffic trace, version 1 (one JSON document): what a real client said to a real server, turn by turn');

export type TraceTurn = z.output<typeof traceTurnSchema>;
export type TraceConversation = z.output<typeof traceConversationSchema>;
/** A version 1 document. */
export type Trace = z.output<typeof traceSchema>;
/** A version 2 header line. */
export type TraceHeader = z.output<typeof traceHeaderSchema>;
/** What a trace says about itself, whatever its version (the conversations are read separately). */
export type TraceInfo = Pick<TraceHeader, 'recordedAt' | 'target' | 'payload' | 'durationUs' | 'peakConcurrency'> & { version: number; conversations: number };
/** A trace held in memory, as `hcbench record` finishes it and `renderTrace` writes it. */
export type TraceContent = Pick<TraceHeader, 'recordedAt' | 'target' | 'payload' | 'durationUs' | 'peakConcurrency'> & { conversations: TraceConversation[] };

/**
 * The JSON Schema of trace files, generated from the zod schemas that validate them: a version 2
 * file's every line (the header, then conversations) and a version 1 document each match it.
 */
export function traceJsonSchema(): Record<string, unknown> {
  const any = z.union([traceHeaderSchema, traceConversationSchema, traceSchema]);
  const schema = z.toJSONSchema(any, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://hcbench.invalid/trace.schema.json',
    title: 'hcbench trace',
    description: 'version 2 (JSON lines): line 1 is the header, each further line one conversation; version 1: one document. Every line (v2) or the document (v1) matches this schema.',
  };
}
