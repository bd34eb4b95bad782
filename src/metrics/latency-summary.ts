// The percentile summary every histogram in a result carries (re-exported by result.ts): plain
// serialisable JSON.

/** Percentile summary of one HDR histogram. All values are integer microseconds. */
export interface LatencySummary {
  count: number;
  minUs: number;
  meanUs: number;
  stdDevUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}
