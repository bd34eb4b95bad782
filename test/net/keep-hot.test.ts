// keep-hot (net/keep-hot.ts): windows are bounded, end early on request, and never keep a process
// alive: a child that opens windows and pulses exits on its own once its work is done.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { hasSpareCpu, isPollingHot, keepHot, keepHotBetween, MAX_LOAD_PER_CPU, MAX_WINDOW_US, warmPulse, warmPulseCount } from '../../src/net/keep-hot.js';
import { createDelayLine } from '../../src/net/delay-line.js';
import { sharedNowUs } from '../../src/net/shared-clock.js';
import { hotUntilReply, REPLY_SLACK_US } from '../../src/workloads/hot-reply.js';

const distModule = fileURLToPath(new URL('../../dist/net/keep-hot.js', import.meta.url));

describe('keep-hot', () => {
  test('a window pulses the warming pair while open and never after it closed', async () => {
    // Start the pair and wait until a pulse goes through (the first connects it).
    const deadline = Date.now() + 5000;
    while (warmPulseCount() === 0 && Date.now() < deadline) {
      warmPulse();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(warmPulseCount()).toBeGreaterThan(0);
    // While a window is open the loop polls and pulses. A loaded machine may not run this process
    // for a whole window, so windows are reopened until a pulse is seen (deadline 10 s).
    const before = warmPulseCount();
    const seenBy = Date.now() + 10_000;
    while (warmPulseCount() === before && Date.now() < seenBy) {
      const window = keepHot(sharedNowUs() + MAX_WINDOW_US, true);
      expect(isPollingHot()).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      window.end();
    }
    expect(warmPulseCount()).toBeGreaterThan(before);
    // After the last window ended, the next loop turn stops polling: nothing can pulse any more.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(isPollingHot()).toBe(false);
  });

  test('a delay line lingers hot after its last release unless told not to (the relay, mid-path, is told not to)', async () => {
    for (const linger of [true, false]) {
      let onDelivered = (): void => undefined;
      const delivered = new Promise<void>((resolve) => (onDelivered = resolve));
      const line = createDelayLine<number>({ keepHot: true, linger, isSpareCpu: () => true }, () => onDelivered());
      line.pushDue(1, 1, sharedNowUs());
      await delivered;
      expect(isPollingHot(), `linger ${linger}`).toBe(linger);
      // The linger window closes by itself within LINGER_US (bounded wait on loop turns).
      const deadline = performance.now() + 2000;
      while (isPollingHot() && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      expect(isPollingHot()).toBe(false);
    }
  });

  test('without a spare CPU a window does not open: the loop is not polled', async () => {
    const window = keepHot(sharedNowUs() + 3000, false);
    expect(isPollingHot()).toBe(false);
    window.end();
  });

  test('the spare-CPU check reads the load average against MAX_LOAD_PER_CPU and caches it for a second', () => {
    const first = hasSpareCpu(1_000_000);
    expect(typeof first).toBe('boolean');
    expect(hasSpareCpu(1_000_500)).toBe(first); // cached within the second
    expect(MAX_LOAD_PER_CPU).toBeGreaterThan(0);
  });

  test('a window longer than MAX_WINDOW_US is cut to it; end() is idempotent; a past window is a no-op', () => {
    const w = keepHot(sharedNowUs() + 10 * MAX_WINDOW_US);
    w.end();
    w.end();
    keepHot(sharedNowUs() - 1).end();
    keepHotBetween(sharedNowUs() + 50_000, sharedNowUs() + 60_000).end();
    warmPulse();
    expect(hotUntilReply(undefined)).toBeUndefined();
    expect(hotUntilReply(0)).toBeUndefined();
    const reply = hotUntilReply(2 * REPLY_SLACK_US);
    expect(reply).toBeDefined();
    reply?.end();
  });

  test('the warming pair never keeps a process alive, and a window at most until its end', async () => {
    const script = `
      const m = await import(${JSON.stringify(distModule)});
      const now = () => { const [s, n] = process.hrtime(); return s * 1e6 + n / 1e3; };
      m.warmPulse();
      m.keepHot(now() + 2000);
      m.keepHotBetween(now() + 3000, now() + 4000);
      await new Promise((r) => setTimeout(r, 20));
      m.warmPulse();
      console.log('done');
    `;
    const started = Date.now();
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (error, out) => (error ? reject(error) : resolve({ stdout: out })));
    });
    expect(stdout.trim()).toBe('done');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
