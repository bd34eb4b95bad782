// Keeps a process "hot" for the microseconds around a delivery it knows is coming, so that a
// message released by a delay line (or a reply the generator is waiting for) is handled at the
// speed of the loopback machinery, not at the speed of code that sat idle for a whole network
// delay. Measured on the 2-core VM this project runs on (issue #12):
// - a 64-byte loopback write costs ~6 µs back to back but ~45–50 µs after 5 ms without socket
//   traffic, even while the event loop polls; a 1-byte write through an in-process socket pair
//   every 50 µs in the last few hundred µs brings it back to ~14 µs (echo round trip 100 → 35 µs);
// - a process whose event loop blocks in epoll_wait takes 50–90 µs to react to data after an idle
//   of a few ms, ~15 µs when its loop is polling.
// So a hot window polls the event loop (setImmediate, never blocking it) and pulses the process's
// warming pair. Windows are short and bounded; a busy process is hot anyway and pays nearly nothing.

import net from 'node:net';
import os from 'node:os';
import { sharedNowUs } from './shared-clock.js';

/** Pulses no more often than this, µs. */
export const WARM_PULSE_EVERY_US = 50;
/** How long before a known delivery a window opens, µs. */
export const WARM_LEAD_US = 400;
/** How long a delay line stays hot after it delivered its last item (to catch the reply or next request), µs. */
export const LINGER_US = 400;
/** No window lasts longer than this, µs (a reply that does not come does not keep a CPU busy). */
export const MAX_WINDOW_US = 5000;

const PULSE = Buffer.alloc(1);

/**
 * False when `HCBENCH_KEEP_HOT=0`: delay lines, timed hops and drivers then behave as before
 * issue #12's fix (no warming, no lingering, no hand-off probes, no hot reply windows). For A/B
 * measurements of the mechanism only (the bench's `truth` entry); never needed in a run.
 */
export const isKeepHotEnabled: boolean = process.env.HCBENCH_KEEP_HOT !== '0';

interface WarmPair {
  client?: net.Socket;
  lastPulseUs: number;
}

let pair: WarmPair | undefined;
let pulses = 0;

/** True while a window keeps the event loop polling (for tests and diagnostics). */
export function isPollingHot(): boolean {
  return polling !== undefined;
}

/** Pulses written so far by this process (for tests and diagnostics). */
export function warmPulseCount(): number {
  return pulses;
}

/** The process's warming pair, started on first use; pulses before it connects do nothing. */
function warmPair(): WarmPair {
  if (pair !== undefined) return pair;
  const state: WarmPair = { lastPulseUs: 0 };
  pair = state;
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.unref();
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
  });
  server.on('error', () => undefined);
  server.unref();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect({ host: '127.0.0.1', port, noDelay: true });
    client.unref();
    client.on('error', () => undefined);
    client.on('connect', () => (state.client = client));
    client.on('close', () => (state.client = undefined));
  });
  return state;
}

/** One pulse through the warming pair, unless the last was under {@link WARM_PULSE_EVERY_US} ago. */
export function warmPulse(nowUs: number = sharedNowUs()): void {
  const state = warmPair();
  if (state.client === undefined || nowUs - state.lastPulseUs < WARM_PULSE_EVERY_US) return;
  state.lastPulseUs = nowUs;
  if (state.client.writableLength >= 4096) return;
  state.client.write(PULSE);
  pulses += 1;
}

/** Above this 1-minute load average per CPU, windows do not open (see {@link hasSpareCpu}). */
export const MAX_LOAD_PER_CPU = 1.0;

let spare = { isSpare: true, checkedAtMs: 0 };

/**
 * False while the machine is busy (1-minute load average above {@link MAX_LOAD_PER_CPU} per CPU,
 * which a run's own polling processes push to ~1.1–1.4 on 2 cores: at 0.75 per CPU the windows
 * switched themselves off during quiet `truth` runs),
 * re-read at most once a second). Polling only pays when a CPU is free: measured on the 2-core VM at
 * load 8, windows made relay − direct ~1 ms worse, not better, because the polling processes took
 * the CPUs the relayed messages needed.
 */
export function hasSpareCpu(nowMs: number = Date.now()): boolean {
  if (nowMs - spare.checkedAtMs >= 1000) {
    const cpus = Math.max(1, os.availableParallelism());
    spare = { isSpare: (os.loadavg()[0] ?? 0) < MAX_LOAD_PER_CPU * cpus, checkedAtMs: nowMs };
  }
  return spare.isSpare;
}

/** A hot window; `end()` closes it early (e.g. when the awaited reply arrived). */
export interface HotWindow {
  end(): void;
}

const windows = new Set<{ untilUs: number }>();
let polling: NodeJS.Immediate | undefined;

function poll(): void {
  polling = undefined;
  const now = sharedNowUs();
  for (const w of windows) if (w.untilUs <= now) windows.delete(w);
  if (windows.size === 0) return;
  warmPulse(now);
  // Referenced on purpose: an unref'd immediate lets the loop block in epoll until the next timer,
  // which is exactly the sleep a window exists to prevent. A window is at most MAX_WINDOW_US long.
  polling = setImmediate(poll);
}

/**
 * Keeps the process hot until `untilUs` (shared clock; at most {@link MAX_WINDOW_US} from now) or
 * `end()`; does nothing while the machine has no spare CPU (`isSpare`, default {@link hasSpareCpu}).
 */
export function keepHot(untilUs: number, isSpare: boolean = hasSpareCpu()): HotWindow {
  if (!isSpare) return { end: () => undefined };
  const now = sharedNowUs();
  const w = { untilUs: Math.min(untilUs, now + MAX_WINDOW_US) };
  if (w.untilUs <= now) return { end: () => undefined };
  windows.add(w);
  if (polling === undefined) polling = setImmediate(poll);
  return { end: () => windows.delete(w) };
}

/** Opens a hot window from `fromUs` until `untilUs` (timer until then); `end()` cancels either. */
export function keepHotBetween(fromUs: number, untilUs: number): HotWindow {
  const waitUs = fromUs - sharedNowUs();
  if (waitUs <= 1000) return keepHot(untilUs);
  let inner: HotWindow | undefined;
  let isEnded = false;
  const timer = setTimeout(() => {
    if (!isEnded) inner = keepHot(untilUs);
  }, Math.floor(waitUs / 1000) - 1);
  timer.unref();
  return {
    end() {
      isEnded = true;
      clearTimeout(timer);
      inner?.end();
    },
  };
}
