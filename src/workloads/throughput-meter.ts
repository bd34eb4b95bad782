// Per-direction byte counting inside the measured window and per-interval throughput sampling
// into bytes-per-second histograms. It never touches sockets: drivers report bytes with a time.

import { createRateHistogram, recordBytesPerSec, toThroughputRecord, type Histogram } from '../metrics/histogram.js';
import type { ThroughputRecord } from '../metrics/result.js';
import type { Clock } from './types.js';
import { pause, waitUntil, type RunWindow } from './run-window.js';

export type Direction = 'upload' | 'download';

/** Counts bytes per direction in the measured window and samples their rate every interval. */
export class ThroughputMeter {
  private readonly totals: Record<Direction, number> = { upload: 0, download: 0 };
  private readonly histograms: Record<Direction, Histogram> = { upload: createRateHistogram(), download: createRateHistogram() };
  private endedNs: bigint | undefined;

  constructor(
    private readonly window: RunWindow,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Adds bytes moved at `atNs`; bytes outside the measured window are ignored here. */
  add(direction: Direction, bytes: number, atNs: bigint): void {
    if (atNs >= this.window.warmupEndNs && atNs < this.window.endNs) this.totals[direction] += bytes;
  }

  /** Samples until the window ends, `isDone()` turns true, or `stop` aborts. */
  async sample(stop: AbortSignal, isDone: () => boolean): Promise<void> {
    await waitUntil(this.clock, this.window.warmupEndNs, stop);
    let lastNs = this.clock.nowNs();
    let last = { ...this.totals };
    for (let i = 0; i < 100_000_000 && !stop.aborted; i++) {
      const leftMs = Number(this.window.endNs - this.clock.nowNs()) / 1e6;
      await pause(Math.min(this.intervalMs, leftMs), stop);
      const nowNs = this.clock.nowNs();
      const elapsedNs = nowNs - lastNs;
      const isLast = nowNs >= this.window.endNs || isDone() || stop.aborted;
      // A short final interval (under half the interval) would only add noise.
      if (elapsedNs * 2n >= BigInt(this.intervalMs) * 1_000_000n || !isLast) {
        for (const d of ['upload', 'download'] as const) {
          recordBytesPerSec(this.histograms[d], ((this.totals[d] - last[d]) * 1e9) / Number(elapsedNs));
        }
      }
      lastNs = nowNs;
      last = { ...this.totals };
      if (isLast) break;
    }
    this.endedNs = lastNs < this.window.endNs ? lastNs : this.window.endNs;
  }

  /** Measured length in ms: the window, or up to the moment sampling ended early. */
  measuredMs(): number {
    const end = this.endedNs ?? this.window.endNs;
    const ns = end - this.window.warmupEndNs;
    return ns > 0n ? Number(ns) / 1e6 : 0;
  }

  record(direction: Direction): ThroughputRecord {
    const ms = this.measuredMs();
    return toThroughputRecord(this.histograms[direction], this.intervalMs, ms > 0 ? (this.totals[direction] * 1000) / ms : 0);
  }

  destroy(): void {
    this.histograms.upload.destroy();
    this.histograms.download.destroy();
  }
}
