// The open model's pacer (src/workloads/open-loop.ts) with a synthetic transaction: every arrival
// of the window is handled exactly once, in schedule order, never before its intended start;
// arrivals that fell due while the generator was blocked are all dispatched at its next wake and
// their lateness is dispatch lag; a stop ends a long sleep at once.

import { describe, expect, test } from 'vitest';
import { createCounters, StepRecorder } from '../../src/metrics/recorder.js';
import type { Dispatch, ExecuteResult } from '../../src/workloads/load-loop.js';
import { runLoad } from '../../src/workloads/load-loop.js';
import { createRunWindow } from '../../src/workloads/run-window.js';
import { systemClock, type OpenLoad } from '../../src/workloads/types.js';

interface Seen {
  intendedNs: bigint;
  dispatchNs: bigint;
  slot: number;
}

/** Runs the open loop over a window with a transaction that takes one loop turn; returns what it saw. */
async function runOpen(load: OpenLoad, warmupMs: number, durationMs: number, options: { slots?: number; blockAtMs?: number; blockMs?: number; stop?: AbortSignal } = {}) {
  const recorder = new StepRecorder(['responseTime', 'serviceTime', 'dispatchLag', 'poolWait']);
  const window = createRunWindow(systemClock, warmupMs, durationMs);
  const seen: Seen[] = [];
  const busy = new Set<number>();
  let overlaps = 0;
  let blocked = false;
  const blockAtNs = window.startNs + BigInt(Math.round((options.blockAtMs ?? 0) * 1e6));
  const execute = (d: Dispatch): Promise<ExecuteResult> => {
    if (d.intendedNs === undefined) throw new Error('open model without an intended start');
    seen.push({ intendedNs: d.intendedNs, dispatchNs: d.dispatchNs, slot: d.slot });
    if (busy.has(d.slot)) overlaps += 1;
    busy.add(d.slot);
    // Once: hold the thread (a stall of the generator itself), as a long GC pause or a preemption would.
    if (!blocked && options.blockMs !== undefined && d.dispatchNs >= blockAtNs) {
      blocked = true;
      const untilNs = systemClock.nowNs() + BigInt(options.blockMs * 1e6);
      while (systemClock.nowNs() < untilNs);
    }
    return new Promise((resolve) =>
      setImmediate(() => {
        busy.delete(d.slot);
        recorder.countTransaction(d.phase);
        resolve({ ok: true, endNs: systemClock.nowNs() });
      }),
    );
  };
  const stop = options.stop ?? AbortSignal.timeout(20_000);
  await runLoad({ load, slots: options.slots ?? 4, window, clock: systemClock, stop, recorder, execute });
  const metrics = recorder.snapshot({ durationMs, warmupMs });
  recorder.destroy();
  return { seen, overlaps, metrics, warmupCounters: metrics.warmupCounters ?? createCounters() };
}

describe('open-model pacer', () => {
  test('every arrival of the window once, in order, never early', async () => {
    const rate = 2000;
    // More slots than arrivals: every arrival is sent whatever the machine does meanwhile.
    const { seen, metrics } = await runOpen({ model: 'open', ratePerSec: rate, whenBehind: 'queue' }, 100, 300, { slots: 1024 });

    // Constant arrivals at 2,000/s over 400 ms: i / rate for i = 0 .. 799.
    expect(seen).toHaveLength(800);
    seen.forEach((s, i) => {
      expect(s.intendedNs - seen[0]!.intendedNs).toBe(BigInt(Math.round((i * 1e9) / rate)));
      expect(s.dispatchNs).toBeGreaterThanOrEqual(s.intendedNs);
    });
    const c = metrics.counters;
    expect(c.scheduled).toBe(600);
    expect(c.sent).toBe(600);
    expect(metrics.histograms.dispatchLag?.summary.count).toBe(600);
    expect(metrics.histograms.responseTime?.summary.count).toBe(c.transactions);
  });

  test('few slots: one transaction per slot at a time, every arrival sent or dropped', async () => {
    const { seen, overlaps, metrics, warmupCounters } = await runOpen({ model: 'open', ratePerSec: 4000, whenBehind: 'queue' }, 100, 300, { slots: 2 });

    expect(overlaps).toBe(0);
    const c = metrics.counters;
    expect((c.scheduled ?? 0) + (warmupCounters.scheduled ?? 0)).toBe(1600);
    expect(seen.length).toBe((c.sent ?? 0) + (warmupCounters.sent ?? 0));
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(metrics.histograms.dispatchLag?.summary.count).toBe(c.sent);
    expect(metrics.histograms.poolWait?.summary.count).toBe(c.sent);
  });

  test('arrivals due while the generator was blocked go out at its next wake, in order, late by the block', async () => {
    const rate = 1000;
    const { seen, metrics } = await runOpen({ model: 'open', ratePerSec: rate, whenBehind: 'queue' }, 0, 300, { slots: 1024, blockAtMs: 100, blockMs: 30 });

    expect(seen).toHaveLength(300);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.intendedNs).toBeGreaterThan(seen[i - 1]!.intendedNs);
      expect(seen[i]!.dispatchNs).toBeGreaterThanOrEqual(seen[i - 1]!.dispatchNs);
    }
    // The ~30 arrivals due during the 30 ms block: each dispatched at least (block end − its intended start) late.
    const blockEndNs = seen.find((s) => s.dispatchNs - s.intendedNs >= 25_000_000n)?.dispatchNs;
    expect(blockEndNs).toBeDefined();
    const caughtUp = seen.filter((s) => s.intendedNs < blockEndNs! && s.dispatchNs >= blockEndNs!);
    expect(caughtUp.length).toBeGreaterThanOrEqual(25);
    // 1,024 free slots (more than the whole run's arrivals): nobody waited for the pool, so all of that lateness is the generator's own.
    expect(metrics.histograms.poolWait?.summary.maxUs).toBe(0);
    expect(metrics.histograms.dispatchLag?.summary.maxUs).toBeGreaterThanOrEqual(25_000);
    expect(metrics.counters.late).toBeGreaterThanOrEqual(25);
    expect(metrics.counters.dropped ?? 0).toBe(0);
  });

  test('a stop during a long sleep between arrivals ends the run at once', async () => {
    const controller = new AbortController();
    const started = performance.now();
    // One arrival per 10 s: after the first, the pacer sleeps on a timer; the stop must cut it short.
    setTimeout(() => controller.abort(), 50);

    const { seen } = await runOpen({ model: 'open', ratePerSec: 0.1 }, 0, 60_000, { stop: controller.signal });

    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
