import { describe, expect, it } from 'vitest';
import { busyWaitUs } from '../../src/workloads/busy-wait.js';

const elapsedUs = (fn: () => void): number => {
  const startNs = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - startNs) / 1000;
};

describe('busyWaitUs', () => {
  it('waits at least about as long as asked (calibrated on the fastest run; preemption only adds)', () => {
    busyWaitUs(1); // calibrates
    const waited = [0, 1, 2].map(() => elapsedUs(() => busyWaitUs(400)));
    // Half the request as the floor: the calibration counts its fastest run, so a wait can only be
    // short if the CPU runs over twice as fast as while it calibrated.
    for (const us of waited) expect(us).toBeGreaterThanOrEqual(200);
  });

  it('caps a wait at 1,000 µs: a larger request waits like 1,000 µs, not 50 ms', () => {
    busyWaitUs(1);
    const capped = Math.min(...[0, 1, 2].map(() => elapsedUs(() => busyWaitUs(50_000))));
    // The fastest of three: well under the 50 ms asked for even on a loaded machine.
    expect(capped).toBeLessThan(25_000);
  });

  it('returns at once for zero, negative and non-finite requests', () => {
    for (const us of [0, -5, Number.NaN]) busyWaitUs(us);
    expect(Math.min(...[0, 1, 2].map(() => elapsedUs(() => busyWaitUs(0))))).toBeLessThan(1000);
  });
});
