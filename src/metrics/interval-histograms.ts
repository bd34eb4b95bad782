// The round-trip histograms of a step's intervals (one per interval of the measured window), as
// the recorder files them. The newest interval fills a flat histogram (recording and its live
// percentiles stay cheap on the generator's hot path); when a later interval starts, it is sealed
// into a packed copy (memory that grows with distinct values, for long runs) and the flat one is
// reused. Counts are copied exactly. No clocks, no I/O.

import { createLatencyHistogram, createPackedLatencyHistogram, recordNs, type Histogram } from './histogram.js';

/** Most intervals kept (a finite window has far fewer). */
const MAX_INTERVALS = 100_000;

/** Interval histograms from `startNs` (clock ns), one per `intervalNs`. Call `destroy()` when done. */
export class IntervalHistograms {
  /** Index = interval number; the newest may still be filling. */
  readonly list: Histogram[] = [];
  private filling: Histogram | undefined;
  /** The newest interval's [start, end), clock ns (empty until one exists). */
  private newestStartNs = 0n;
  private newestEndNs = 0n;

  constructor(
    readonly startNs: bigint,
    readonly intervalNs: bigint,
  ) {}

  /**
   * Files a duration that ended at `atNs` into its interval (none before startNs). Before the first value of
   * a later interval, `beforeNext` gets the newest interval's index (still flat: cheap to read).
   */
  record(atNs: bigint, durationNs: bigint, beforeNext: (index: number) => void): void {
    if (atNs < this.startNs) return;
    // Most values end in the newest interval: two comparisons instead of a BigInt division.
    const index = atNs >= this.newestStartNs && atNs < this.newestEndNs ? this.list.length - 1 : Number((atNs - this.startNs) / this.intervalNs);
    if (index >= MAX_INTERVALS) return;
    if (index >= this.list.length) {
      if (this.list.length > 0) {
        beforeNext(this.list.length - 1);
        this.sealNewest();
      }
      for (let i = this.list.length; i < index; i++) this.list.push(createPackedLatencyHistogram());
      this.filling ??= createLatencyHistogram();
      this.list.push(this.filling);
      this.newestStartNs = this.startNs + BigInt(index) * this.intervalNs;
      this.newestEndNs = this.newestStartNs + this.intervalNs;
    }
    const histogram = this.list[index];
    if (histogram !== undefined) recordNs(histogram, durationNs);
  }

  /** Releases every histogram. */
  destroy(): void {
    for (const h of this.list) h.destroy();
    this.filling?.destroy();
    this.list.length = 0;
    this.filling = undefined;
  }

  /** Replaces the newest (flat) histogram by a packed copy and empties the flat one for reuse. */
  private sealNewest(): void {
    const last = this.list.length - 1;
    const flat = this.list[last];
    if (flat === undefined || flat !== this.filling) return;
    const packed = createPackedLatencyHistogram();
    packed.add(flat);
    this.list[last] = packed;
    flat.reset();
  }
}
