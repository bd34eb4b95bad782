// What a trace says before anything is replayed: round trips per conversation, sizes, think and
// server times, connection reuse and concurrency — the numbers an architect needs first. Pure.

import type { Trace } from './format.js';

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
  payload: Trace['payload'];
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

export function summarizeTrace(trace: Trace): TraceSummary {
  const perConversation: number[] = [];
  const requestBytes: number[] = [];
  const responseBytes: number[] = [];
  const thinkUs: number[] = [];
  const serverUs: number[] = [];
  const conversationUs: number[] = [];
  let turns = 0;
  let totalRequestBytes = 0;
  let totalResponseBytes = 0;
  for (const c of trace.conversations) {
    let roundTrips = 0;
    conversationUs.push(c.durationUs);
    c.turns.forEach((t, i) => {
      turns += 1;
      totalRequestBytes += t.requestBytes;
      totalResponseBytes += t.responseBytes;
      if (t.requestBytes > 0) requestBytes.push(t.requestBytes);
      if (i > 0) thinkUs.push(t.thinkUs);
      if (t.responseBytes > 0) {
        roundTrips += 1;
        responseBytes.push(t.responseBytes);
        if (t.requestBytes > 0) serverUs.push(t.serverUs);
      }
    });
    perConversation.push(roundTrips);
  }
  const roundTrips = perConversation.reduce((a, b) => a + b, 0);
  return {
    payload: trace.payload,
    durationUs: trace.durationUs,
    conversations: trace.conversations.length,
    conversationsWithRoundTrips: perConversation.filter((n) => n > 0).length,
    peakConcurrency: trace.peakConcurrency,
    turns,
    roundTrips,
    roundTripsPerConversation: spread(perConversation),
    requestBytes: spread(requestBytes),
    responseBytes: spread(responseBytes),
    thinkUs: spread(thinkUs),
    serverUs: spread(serverUs),
    conversationUs: spread(conversationUs),
    conversationsPerSec: trace.durationUs > 0 ? trace.conversations.length / (trace.durationUs / 1e6) : 0,
    reuse: trace.conversations.length > 0 ? roundTrips / trace.conversations.length : 0,
    totalRequestBytes,
    totalResponseBytes,
  };
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
