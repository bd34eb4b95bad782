// What a replay step measured beyond the common histograms (there a turn is a round trip and a
// conversation a transaction): how faithfully the trace was replayed (turns, bytes, padding),
// conversation latency per round-trip count (the points of the per-turn fit), and the first
// conversations one by one. Types only.

/** Conversation latency of the conversations with one round-trip count (measured window). */
export interface ReplayFitPoint {
  roundTrips: number;
  count: number;
  meanUs: number;
  stdDevUs: number;
  p50Us: number;
}

/** One replayed conversation (measured window). */
export interface ReplayedConversation {
  /** The trace conversation's id. */
  id: number;
  turns: number;
  roundTrips: number;
  /** Request bytes as recorded (the wire may carry more: see `paddedBytes`). */
  requestBytes: number;
  responseBytes: number;
  durationUs: number;
}

/** Replay facts of one step. */
export interface ReplayStepMetrics {
  /** Trace file name (no folder). */
  trace: string;
  target: 'built-in' | 'recorded';
  /** Conversations in the trace that have at least one turn (the ones replayed). */
  conversationsInTrace: number;
  /** Completed conversations in the measured window. */
  conversations: number;
  /** Turns of those conversations; round trips are the turns with a response. */
  turns: number;
  /** Request bytes of those turns as recorded. */
  requestBytesRecorded: number;
  /** Bytes written for those turns: recorded ones plus padding. */
  requestBytesSent: number;
  responseBytes: number;
  /** Turns whose request was smaller than the built-in target's 12-byte timed header, and the bytes added. */
  paddedTurns: number;
  paddedBytes: number;
  /** Conversation latency per round-trip count, ascending. */
  byRoundTrips: ReplayFitPoint[];
  /** The first conversations, in completion order (at most `MAX_LISTED_CONVERSATIONS`). */
  listed: ReplayedConversation[];
}
