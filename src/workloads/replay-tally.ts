// Tallies a replay step's conversations (measured window only): turns and bytes against the
// trace, the padding the built-in target's header forced, conversation latency per round-trip
// count (an HDR histogram per count: the points of the per-turn fit) and the first conversations
// one by one, for the result's `replay` section.

import { createLatencyHistogram, recordNs, summarize, type Histogram } from '../metrics/histogram.js';
import type { ReplayedConversation, ReplayStepMetrics } from '../metrics/replay-metrics.js';

/** Most conversations listed one by one in a result. */
export const MAX_LISTED_CONVERSATIONS = 1000;
/** Most distinct round-trip counts tallied; conversations with other counts still count in totals. */
const MAX_FIT_POINTS = 1000;

/** One finished conversation as the driver reports it. */
export interface ConversationDone extends ReplayedConversation {
  requestBytesSent: number;
  paddedTurns: number;
  paddedBytes: number;
  durationNs: bigint;
}

export class ReplayTally {
  private readonly byRoundTrips = new Map<number, Histogram>();
  private readonly listed: ReplayedConversation[] = [];
  private conversations = 0;
  private turns = 0;
  private requestBytesRecorded = 0;
  private requestBytesSent = 0;
  private responseBytes = 0;
  private paddedTurns = 0;
  private paddedBytes = 0;

  constructor(
    private readonly trace: string,
    private readonly target: ReplayStepMetrics['target'],
    private readonly conversationsInTrace: number,
  ) {}

  add(c: ConversationDone): void {
    this.conversations += 1;
    this.turns += c.turns;
    this.requestBytesRecorded += c.requestBytes;
    this.requestBytesSent += c.requestBytesSent;
    this.responseBytes += c.responseBytes;
    this.paddedTurns += c.paddedTurns;
    this.paddedBytes += c.paddedBytes;
    let histogram = this.byRoundTrips.get(c.roundTrips);
    if (histogram === undefined && this.byRoundTrips.size < MAX_FIT_POINTS) {
      histogram = createLatencyHistogram();
      this.byRoundTrips.set(c.roundTrips, histogram);
    }
    if (histogram !== undefined) recordNs(histogram, c.durationNs);
    if (this.listed.length < MAX_LISTED_CONVERSATIONS) {
      this.listed.push({ id: c.id, turns: c.turns, roundTrips: c.roundTrips, requestBytes: c.requestBytes, responseBytes: c.responseBytes, durationUs: c.durationUs });
    }
  }

  snapshot(): ReplayStepMetrics {
    const byRoundTrips = [...this.byRoundTrips.entries()]
      .sort(([a], [b]) => a - b)
      .map(([roundTrips, h]) => {
        const s = summarize(h);
        return { roundTrips, count: s.count, meanUs: s.meanUs, stdDevUs: s.stdDevUs, p50Us: s.p50Us };
      });
    return {
      trace: this.trace,
      target: this.target,
      conversationsInTrace: this.conversationsInTrace,
      conversations: this.conversations,
      turns: this.turns,
      requestBytesRecorded: this.requestBytesRecorded,
      requestBytesSent: this.requestBytesSent,
      responseBytes: this.responseBytes,
      paddedTurns: this.paddedTurns,
      paddedBytes: this.paddedBytes,
      byRoundTrips,
      listed: [...this.listed],
    };
  }

  destroy(): void {
    for (const h of this.byRoundTrips.values()) h.destroy();
    this.byRoundTrips.clear();
  }
}
