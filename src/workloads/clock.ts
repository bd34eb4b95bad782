// The monotonic clock every workload driver reads (injectable for tests).

/** Monotonic time source, injectable for tests. */
export interface Clock {
  /** Monotonic time in nanoseconds (like `process.hrtime.bigint()`). */
  nowNs(): bigint;
  /**
   * The same time in microseconds as a float, where a clock can give it without allocating (a
   * BigInt is a heap object): the open-model pacer reads the clock on every event-loop turn while it
   * waits for an arrival, and that garbage (tens of KB per arrival at low rates) bought scavenges
   * that made the generator late. Absent: derived from `nowNs`.
   */
  nowUs?(): number;
}

/**
 * hrtime's origin in performance.now()'s terms, µs: both read the same monotonic clock. Taken from
 * the tightest of a few hrtime / now / hrtime brackets, so the float reading is within ~1 µs.
 */
const hrtimeOffsetUs = ((): number => {
  let best = { spanUs: Number.POSITIVE_INFINITY, offsetUs: 0 };
  for (let i = 0; i < 50; i++) {
    const beforeUs = Number(process.hrtime.bigint()) / 1000;
    const nowUs = performance.now() * 1000;
    const afterUs = Number(process.hrtime.bigint()) / 1000;
    if (afterUs - beforeUs < best.spanUs) best = { spanUs: afterUs - beforeUs, offsetUs: (beforeUs + afterUs) / 2 - nowUs };
  }
  return best.offsetUs;
})();

export const systemClock: Clock = { nowNs: () => process.hrtime.bigint(), nowUs: () => performance.now() * 1000 + hrtimeOffsetUs };
