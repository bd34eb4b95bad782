// Percentiles of repetitions pooled exactly (bucket counts added, as merged histograms), for all
// repetitions and for every leave-one-out pool, on one shared value grid. Pure.

import { hdrBucket, type Distribution } from './distribution.js';

/** Percentiles of the pool of every repetition and of each pool without repetition i. */
export interface PooledPercentiles {
  /** One value per requested percentile, exactly as `getValueAtPercentile` of the merged histogram reads it. */
  full: number[];
  /**
   * smoothLeaveOut[i][j]: percentile j of the pool without repetition i, interpolated inside its
   * bucket (samples spread evenly over the bucket's µs), so that it moves smoothly as counts change:
   * what the jackknife needs (a step function's jackknife variance is erratic). NaN when empty.
   */
  smoothLeaveOut: number[][];
}

/** Smallest float step above x (as hdr-histogram-js uses when rounding a count up). */
const ulp = (x: number): number => (x === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52));

/**
 * Reads ascending `ranks` (0 < rank <= 100) from counts on `grid` in one pass: the HDR value
 * (bucket top of the first bucket whose cumulative count reaches ⌈rank·total⌉) and the smoothed one.
 */
function read(grid: Float64Array, counts: Float64Array, ranks: readonly number[]): { hdr: number[]; smooth: number[] } {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return { hdr: ranks.map(() => Number.NaN), smooth: ranks.map(() => Number.NaN) };
  const hdr: number[] = [];
  const smooth: number[] = [];
  let i = 0;
  let before = 0;
  for (const rank of ranks) {
    const fp = (Math.min(rank, 100) / 100) * total;
    const countAt = Math.max(Math.ceil(fp - ulp(fp)), 1);
    while (i < grid.length - 1 && before + counts[i]! < countAt) before += counts[i++]!;
    hdr.push(grid[i]!);
    // The smoothed rank: the first bucket whose cumulative count reaches fp, linearly inside it.
    let j = i;
    let under = before;
    while (j > 0 && under >= fp && under > 0) under -= counts[--j]!;
    while (j < grid.length - 1 && under + counts[j]! < fp) under += counts[j++]!;
    const { low, high } = hdrBucket(grid[j]!);
    const c = counts[j]!;
    smooth.push(low - 0.5 + (c === 0 ? 0 : ((fp - under) / c) * (high - low + 1)));
  }
  return { hdr, smooth };
}

/** Pools `repetitions` and reads ascending `ranks` (0 < rank <= 100) from the pool and from every leave-one-out pool. */
export function pooledPercentiles(repetitions: readonly Distribution[], ranks: readonly number[]): PooledPercentiles {
  const grid = uniqueSorted(repetitions);
  const rows = repetitions.map((d) => {
    const row = new Float64Array(grid.length);
    // Both ascending: one pass places every bucket on the grid.
    let at = 0;
    for (let i = 0; i < d.values.length; i++) {
      while (grid[at] !== d.values[i]) at++;
      row[at] = row[at]! + d.counts[i]!;
    }
    return row;
  });
  const totalRow = new Float64Array(grid.length);
  for (const row of rows) for (let i = 0; i < row.length; i++) totalRow[i] = totalRow[i]! + row[i]!;
  const smoothLeaveOut = rows.map((row) => {
    const counts = new Float64Array(grid.length);
    for (let j = 0; j < counts.length; j++) counts[j] = totalRow[j]! - row[j]!;
    return read(grid, counts, ranks).smooth;
  });
  return { full: read(grid, totalRow, ranks).hdr, smoothLeaveOut };
}

/** Every bucket value of any repetition, ascending, once (a merge of the sorted value lists). */
function uniqueSorted(repetitions: readonly Distribution[]): Float64Array {
  let merged: Float64Array = new Float64Array(0);
  for (const d of repetitions) {
    const out = new Float64Array(merged.length + d.values.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < merged.length || j < d.values.length) {
      const a = i < merged.length ? merged[i]! : Number.POSITIVE_INFINITY;
      const b = j < d.values.length ? d.values[j]! : Number.POSITIVE_INFINITY;
      const v = a <= b ? a : b;
      if (a === v) i++;
      if (b === v) j++;
      if (n === 0 || out[n - 1] !== v) out[n++] = v;
    }
    merged = out.slice(0, n);
  }
  return merged;
}
