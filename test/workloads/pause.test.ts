// Think time (and every other pause a driver takes) lasts at least what is configured, on the
// monotonic clock the latencies are measured with. A libuv timer is due against the loop's cached
// time in whole milliseconds (truncated, and stale by however long the loop has been running), so a
// plain sleep often ends up to ~1 ms early: a test saw 2 × 20 ms think time last 39,872 µs.

import { describe, expect, test } from 'vitest';
import { pause } from '../../src/workloads/run-window.js';

/** Keeps this tick busy for `ms` without returning to the event loop, so libuv's cached time goes stale. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spinning on purpose
  }
}

describe('pause', () => {
  test('never ends before its time, even right after the loop sat busy', async () => {
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve)); // a fresh loop turn
      busy(i % 2 === 0 ? 0.5 : 1.5);
      const startedMs = performance.now();
      await pause(2, new AbortController().signal);
      expect(performance.now() - startedMs, `pause ${i}`).toBeGreaterThanOrEqual(2);
    }
  });

  test('ends at once, without throwing, when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = pause(60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBeUndefined();
  });
});
