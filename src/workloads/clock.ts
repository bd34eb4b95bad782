// The monotonic clock every workload driver reads (injectable for tests).

/** Monotonic time source, injectable for tests. */
export interface Clock {
  /** Monotonic time in nanoseconds (like `process.hrtime.bigint()`). */
  nowNs(): bigint;
}

export const systemClock: Clock = { nowNs: () => process.hrtime.bigint() };
