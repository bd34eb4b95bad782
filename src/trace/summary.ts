// What a trace says before anything is replayed: round trips per conversation, sizes, think and
// server times, connection reuse and concurrency — the numbers an architect needs first. Built a
// conversation at a time, so a streamed trace is summarized in the pass that checks it.

import type { TraceContent, TraceConversation, TraceInfo } from './format.js';
import { openTrace } from './open-trace.js';

/** min / p50 / p90 / p99 / max / mean of a list of numbers (nearest-rank percentiles). */
export interface Spread {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface TraceSummary {
  payload: TraceInfo['payload'];
  durationUs: number;
  conversations: number;
  /** Conversations with at least one turn with a response: the ones a replay times. */
  conversationsWithRoundTrips: number;
  peakConcurrency: number;
  turns: number;
  /** Turns answered by the server (response bytes > 0): the round trips a relay hop is paid on. */
  roundTrips: number;
  roundTripsPerConversation: Spread;
  requestBytes: Spread;
  responseBytes: Spread;
  thinkUs: Spread;
  serverUs: Spread;
  conversationUs: Spread;
  /** Conversations per second over the recording. */
  conversationsPerSec: number;
  /** Mean round trips one connection carried: 1 means a connection per request, large means pooled. */
  reuse: number;
  totalRequestBytes: number;
  totalResponseBytes: number;
}

/** The spread of `values` (all zeros for an empty list). */
export function spread(values: number[]): Spread {
  if (values.length === 0) return { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, min: sorted[0] ?? 0, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0, mean: sum / sorted.length };
}

/** Builds a summary a conversation at a time (the trace is never held whole). */
export class TraceSummaryBuilder {
  private readonly perConversation: number[] = [];
  private readonly requestBytes: number[] = [];
  private readonly responseBytes: number[] = [];
  private readonly thinkUs: number[] = [];
  private readonly serverUs: number[] = [];
  private readonly conversationUs: number[] = [];
  private turns = 0;
  private totalRequestBytes = 0;
  private totalResponseBytes = 0;

  add(c: TraceConversation): void {
    let roundTrips = 0;
    this.conversationUs.push(c.durationUs);
    c.turns.forEach((t, i) => {
      this.turns += 1;
      this.totalRequestBytes += t.requestBytes;
      this.totalResponseBytes += t.responseBytes;
      if (t.requestBytes > 0) this.requestBytes.push(t.requestBytes);
      if (i > 0) this.thinkUs.push(t.thinkUs);
      if (t.responseBytes > 0) {
        roundTrips += 1;
        this.responseBytes.push(t.responseBytes);
        if (t.requestBytes > 0) this.serverUs.push(t.serverUs);
      }
    });
    this.perConversation.push(roundTrips);
  }

  /** The summary of the conversations added, with the trace's own header figures. */
  finish(info: Pick<TraceInfo, 'payload' | 'durationUs' | 'peakConcurrency'>): TraceSummary {
    const conversations = this.perConversation.length;
    const roundTrips = this.perConversation.reduce((a, b) => a + b, 0);
    return {
      payload: info.payload,
      durationUs: info.durationUs,
      conversations,
      conversationsWithRoundTrips: this.perConversation.filter((n) => n > 0).length,
      peakConcurrency: info.peakConcurrency,
      turns: this.turns,
      roundTrips,
      roundTripsPerConversation: spread(this.perConversation),
      requestBytes: spread(this.requestBytes),
      responseBytes: spread(this.responseBytes),
      thinkUs: spread(this.thinkUs),
      serverUs: spread(this.serverUs),
      conversationUs: spread(this.conversationUs),
      conversationsPerSec: info.durationUs > 0 ? conversations / (info.durationUs / 1e6) : 0,
      reuse: conversations > 0 ? roundTrips / conversations : 0,
      totalRequestBytes: this.totalRequestBytes,
      totalResponseBytes: this.totalResponseBytes,
    };
  }
}

/** The summary of a trace held in memory. */
export function summarizeTrace(trace: TraceContent): TraceSummary {
  const builder = new TraceSummaryBuilder();
  for (const c of trace.conversations) builder.add(c);
  return builder.finish(trace);
}

/** Checks the trace `file` and summarizes it in the same streamed pass; throws ScenarioError (exit 3). */
export async function summarizeTraceFile(file: string): Promise<TraceSummary> {
  const builder = new TraceSummaryBuilder();
  const source = await openTrace(file, (c) => builder.add(c));
  return builder.finish(source.info);
}

const ms = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(us >= 100_000 ? 0 : 1)} ms` : `${Math.round(us)} µs`);
const by = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`);
const row = (s: Spread, f: (n: number) => string): string => `p50 ${f(s.p50)}, p90 ${f(s.p90)}, p99 ${f(s.p99)}, max ${f(s.max)} (n ${s.count})`;

/** The summary as plain text lines for a terminal. */
export function renderTraceSummary(s: TraceSummary, file: string): string {
  const lines = [
    `trace ${file}: ${s.conversations} conversation${s.conversations === 1 ? '' : 's'} over ${ms(s.durationUs)} (${s.conversationsPerSec.toFixed(1)}/s), at most ${s.peakConcurrency} at once; payload ${s.payload}`,
    `  round trips per conversation: mean ${s.roundTripsPerConversation.mean.toFixed(1)}, ${row(s.roundTripsPerConversation, (n) => String(n))}`,
    `  turns ${s.turns}, of which round trips (answered) ${s.roundTrips}; ${s.reuse.toFixed(1)} round trips per connection (${s.reuse <= 1.5 ? 'about a connection per request' : 'connections reused'})`,
    `  request size: ${row(s.requestBytes, by)}; total ${by(s.totalRequestBytes)}`,
    `  response size: ${row(s.responseBytes, by)}; total ${by(s.totalResponseBytes)}`,
    `  client think time between turns: ${row(s.thinkUs, ms)}`,
    `  server time to first byte: ${row(s.serverUs, ms)}`,
    `  conversation length: ${row(s.conversationUs, ms)}`,
    `  every round trip pays the relay hop: a conversation of ${s.roundTripsPerConversation.p50} round trips pays it ${s.roundTripsPerConversation.p50} times`,
  ];
  return `${lines.join('\n')}\n`;
}
