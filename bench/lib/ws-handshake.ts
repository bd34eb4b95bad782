// The connection-setup entry's reference: plain ws 8 handshakes, one at a time, each followed by one
// 64 B binary message and its echo, timed from `new WebSocket` to the echo (hrtime, µs HDR).
// Knows nothing of relays: it gets a ws:// URL of an echo server.

import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createLatencyHistogram, recordNs, summarize } from '../../src/metrics/histogram.js';
import type { Figure } from './types.js';

export interface WsHandshakeOptions {
  url: string;
  /** Timed handshakes (after the warm-up ones). */
  samples: number;
  /** Untimed handshakes first. */
  warmupSamples: number;
  /** Stop early (with fewer samples, noted) after this many ms. */
  deadlineMs: number;
  /** Longest wait for one handshake + echo, ms; a slower one is an error and ends the run. */
  timeoutMs?: number;
  signal: AbortSignal;
}

/** Handshake + first echoed message of one fresh ws 8 connection, ns; rejects on refusal or timeout. */
async function oneHandshake(url: string, payload: Buffer, timeoutMs: number): Promise<bigint> {
  const startNs = process.hrtime.bigint();
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const echoed = (async () => {
      await once(ws, 'open');
      const echo = once(ws, 'message');
      ws.send(payload, { binary: true });
      await echo;
      return process.hrtime.bigint() - startNs;
    })();
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no echo within ${timeoutMs} ms`)), timeoutMs);
      ws.once('close', () => reject(new Error('websocket closed before the echo')));
    });
    return await Promise.race([echoed, failed]);
  } finally {
    clearTimeout(timer);
    ws.terminate();
  }
}

/** Runs the handshakes; p50 µs is the figure's value, with p99, count and errors as detail. */
export async function runWsHandshakes(options: WsHandshakeOptions): Promise<Figure> {
  const histogram = createLatencyHistogram();
  const payload = Buffer.alloc(64, 7);
  const deadline = Date.now() + options.deadlineMs;
  let errors = 0;
  for (let i = 0; i < options.warmupSamples + options.samples; i += 1) {
    if (options.signal.aborted || Date.now() >= deadline) break;
    try {
      const ns = await oneHandshake(options.url, payload, options.timeoutMs ?? 5000);
      if (i >= options.warmupSamples) recordNs(histogram, ns);
    } catch {
      errors += 1;
      break;
    }
  }
  const summary = summarize(histogram);
  if (summary.count === 0) throw new Error('ws 8 handshake reference recorded no samples');
  const notes = summary.count < options.samples ? [`ws 8 reference stopped at ${summary.count} of ${options.samples} samples`] : [];
  return { value: summary.p50Us, detail: { p50Us: summary.p50Us, p99Us: summary.p99Us, connections: summary.count, errors }, notes };
}
