// A short busy-wait that allocates nothing. The open-model pacer spins on event-loop turns in the
// last stretch before an arrival (timers have 1 ms resolution); a bare turn takes ~1.3 µs on the
// 2-core VM, so an idle spin ran ~750,000 turns a second, and each `setImmediate` costs Node ~350
// bytes of garbage: at 10,000 arrivals/s the generator allocated ~330 MB/s, a 0.4 ms scavenge
// every 40 ms, and those pauses were the dispatch-lag p99 (issue #15). Holding each spinning turn
// for a few µs cuts the turns, and the garbage, several-fold. Reading a clock in the wait would
// allocate again (a BigInt or a boxed number per read), so the wait counts iterations of a
// calibrated integer loop instead.

/** Iterations of {@link spin} per µs; 0 until calibrated. */
let iterationsPerUs = 0;
/** Keeps the loop's result observable, so the compiler cannot drop it. */
let sink = 0;

function spin(iterations: number): void {
  let x = sink;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}

/**
 * Measures the loop once (a few ms), after a warm-up so the measured code is optimised. The
 * fastest of three runs counts: a preemption only makes a run slower, and a rate measured too low
 * would make every later wait too short.
 */
function calibrate(): number {
  spin(200_000);
  let fastestUs = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const startNs = process.hrtime.bigint();
    spin(500_000);
    fastestUs = Math.min(fastestUs, Number(process.hrtime.bigint() - startNs) / 1000);
  }
  return Math.max(1, 500_000 / Math.max(fastestUs, 1));
}

/**
 * Busy-waits about `us` microseconds (at most 1,000) without allocating or reading a clock. Only
 * approximate: a preemption makes it longer, which a caller that reads its clock afterwards sees.
 */
export function busyWaitUs(us: number): void {
  if (!(us > 0)) return;
  if (iterationsPerUs === 0) iterationsPerUs = calibrate();
  spin(Math.round(Math.min(us, 1000) * iterationsPerUs));
}
