// A WebSocket ping-pong client for the relay-emulator entry: one ws 8 connection, 64 B binary
// messages sent one at a time, each round trip timed with hrtime into a µs HDR histogram.
// Knows nothing of relays: it gets a URL and headers.

import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createLatencyHistogram, recordNs, summarize } from '../../src/metrics/histogram.js';
import type { Figure } from './types.js';

export interface WsPingPongOptions {
  url: string;
  headers?: Record<string, string>;
  payloadBytes: number;
  warmupMs: number;
  durationMs: number;
  /** Longest wait for one echo, ms; a slower one ends the window with an error. */
  timeoutMs?: number;
}

/** Opens the socket, runs warm-up then the measured window, closes; RT/s with p50/p99 µs. */
export async function runWsPingPong(options: WsPingPongOptions): Promise<Figure> {
  const ws = new WebSocket(options.url, { headers: options.headers ?? {}, perMessageDeflate: false });
  ws.on('error', () => undefined);
  await Promise.race([
    once(ws, 'open'),
    once(ws, 'unexpected-response').then(([, response]) => {
      throw new Error(`websocket handshake refused: HTTP ${String((response as { statusCode?: number }).statusCode)}`);
    }),
    once(ws, 'close').then(() => {
      throw new Error('websocket closed before open');
    }),
  ]);
  const histogram = createLatencyHistogram();
  const payload = Buffer.alloc(options.payloadBytes, 7);
  let roundTrips = 0;
  let errors = 0;
  try {
    const start = process.hrtime.bigint();
    const warmupEnd = start + BigInt(options.warmupMs) * 1_000_000n;
    const end = warmupEnd + BigInt(options.durationMs) * 1_000_000n;
    let measuredFrom = 0n;
    for (;;) {
      const sentAt = process.hrtime.bigint();
      if (sentAt >= end) break;
      const echo = once(ws, 'message');
      ws.send(payload, { binary: true });
      const timeout = new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new Error('echo timeout')), options.timeoutMs ?? 5000);
        echo.finally(() => clearTimeout(t)).catch(() => undefined);
      });
      try {
        await Promise.race([echo, timeout]);
      } catch {
        errors += 1;
        break;
      }
      const doneAt = process.hrtime.bigint();
      if (sentAt >= warmupEnd) {
        if (measuredFrom === 0n) measuredFrom = sentAt;
        recordNs(histogram, doneAt - sentAt);
        roundTrips += 1;
      }
    }
    const seconds = Number(process.hrtime.bigint() - (measuredFrom === 0n ? warmupEnd : measuredFrom)) / 1e9;
    const s = summarize(histogram);
    return { value: seconds > 0 ? roundTrips / seconds : 0, detail: { p50Us: s.p50Us, p99Us: s.p99Us, errors } };
  } finally {
    histogram.destroy();
    ws.terminate();
  }
}
