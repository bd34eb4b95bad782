// The round-trip histograms of a step's intervals (one per interval of the measured window), as
// the recorder files them: packed histograms (memory that grows with distinct values, for long
// runs). The newest interval is also mirrored in one flat histogram, reused from interval to
// interval, so that its live percentiles are cheap to read on the generator's thread: reading
// percentiles off a packed histogram looks up every bucket through the packed index (tens of ms
// per interval at 10,000 round trips/s), and copying a finished interval into a packed one at
// once costs as much. No clocks, no I/O.

import { createLatencyHistogram, createPackedLatencyHistogram, recordNs, type Histogram } from './histogram.js';

/** Most intervals kept (a finite window has far fewer). */
const MAX_INTERVALS = 100_000;

/** Interval histograms from `startNs` (clock ns), one per `intervalNs`. Call `destroy()` when done. */
export class IntervalHistograms {
  /** Index = interval number. */
  readonly list: Histogram[] = [];
  /** The newest interval's values again, flat; emptied when a later interval starts. */
  private readonly newest: Histogram = createLatencyHistogram();
  /** The newest interval's [start, end), clock ns (empty until one exists). */
  private newestStartNs = 0n;
  private newestEndNs = 0n;

  constructor(
    readonly startNs: bigint,
    readonly intervalNs: bigint,
  ) {}

  /**
   * Files a duration that ended at `atNs` into its interval (none before startNs). Before the
   * first value of a later interval, `beforeNext` gets the newest interval's index.
   */
  record(atNs: bigint, durationNs: bigint, beforeNext: (index: number) => void): void {
    if (atNs < this.startNs) return;
    // Most values end in the newest interval: two comparisons instead of a BigInt division.
    const isNewest = atNs >= this.newestStartNs && atNs < this.newestEndNs;
    const index = isNewest ? this.list.length - 1 : Number((atNs - this.startNs) / this.intervalNs);
    if (index >= MAX_INTERVALS) return;
    if (index >= this.list.length) {
      if (this.list.length > 0) beforeNext(this.list.length - 1);
      this.newest.reset();
      for (let i = this.list.length; i <= index; i++) this.list.push(createPackedLatencyHistogram());
      this.newestStartNs = this.startNs + BigInt(index) * this.intervalNs;
      this.newestEndNs = this.newestStartNs + this.intervalNs;
    }
    const histogram = this.list[index];
    if (histogram === undefined) return;
    recordNs(histogram, durationNs);
    if (index === this.list.length - 1) recordNs(this.newest, durationNs);
  }

  /** Interval `index`'s histogram to read now: the flat mirror for the newest one. Read it at once; never keep or destroy it. */
  view(index: number): Histogram | undefined {
    return index === this.list.length - 1 ? this.newest : this.list[index];
  }

  /** Releases every histogram. */
  destroy(): void {
    for (const h of this.list) h.destroy();
    this.newest.destroy();
    this.list.length = 0;
  }
}
