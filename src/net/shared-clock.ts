// One monotonic clock every hcbench process on a machine reads alike: CLOCK_MONOTONIC through
// process.hrtime, in microseconds. performance.now() counts from each process's own start, so its
// values cannot travel between processes; these can (timed-socket.ts stamps due times with them).

/** Microseconds on the machine's monotonic clock (fractional; comparable across processes). */
export function sharedNowUs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1_000_000 + nanoseconds / 1000;
}
