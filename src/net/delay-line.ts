// A one-way network link stand-in: delivers items in order after a propagation delay (plus
// optional jitter and a bandwidth cap), never reordering. Node timers fire up to ~1 ms late, so
// the last `spinWindowUs` before an item is due are waited out with setImmediate polling; that
// keeps injected delays exact to tens of microseconds at the cost of some CPU while items are due.
//
// The line has two halves that may live in different processes (see timed-socket.ts): the due-time
// arithmetic (`createDueTimes`, run where a message enters the link) and the hold (`pushDue`, run
// where it leaves). Holding in the receiving process lets the cross-process hand-off happen while
// the message is still "in flight", so a receiver's wake-up from idle is absorbed by the delay.

import { sharedNowUs } from './shared-clock.js';
import { hasSpareCpu, isKeepHotEnabled, keepHot, LINGER_US, WARM_LEAD_US, warmPulse } from './keep-hot.js';

/** Shape of one direction of a link. All fields default to 0 (no delay, no cap). */
export interface LinkShape {
  /** Propagation delay added to every item, milliseconds (fractional allowed). */
  oneWayDelayMs?: number;
  /** Uniform random extra delay in [0, jitterMs), milliseconds. Order is still preserved. */
  jitterMs?: number;
  /** Serialisation rate; 0 or absent = unlimited. Bytes per second. */
  bandwidthBytesPerSec?: number;
}

/** Clock and randomness of a link; injectable for tests. */
export interface LinkClock {
  /** Monotonic time in microseconds (fractional ok). Default {@link sharedNowUs} (comparable across processes). */
  nowUs?: () => number;
  /** Random source in [0, 1), for jitter. Default Math.random. */
  random?: () => number;
}

export interface DelayLineOptions extends LinkShape, LinkClock {
  /** How long before the due time to stop trusting timers and poll instead, µs. Default 1500. */
  spinWindowUs?: number;
  /**
   * Keep the process hot around releases (net/keep-hot.ts): warm its socket path in the last few
   * hundred µs before each release and poll a little after the last. Default false.
   */
  keepHot?: boolean;
  /**
   * With keepHot: stay hot for LINGER_US after the last release (default true), for a reply or a
   * next request that comes straight back (a target or a generator next to this hop). False in the
   * middle of a path (the emulated relay), where whatever the release starts comes back only after
   * at least one more held leg.
   */
  linger?: boolean;
  /** Whether the machine has a CPU to spare for a hot window; default {@link hasSpareCpu} (injectable for tests). */
  isSpareCpu?: () => boolean;
  /**
   * Called for every delivered item with its lateness in µs: delivery time − due time, or − the end
   * of the line's previous delivery when that came after the due time (the line's own lateness,
   * not the time spent delivering what was due before it).
   */
  onLateness?: (latenessUs: number) => void;
}

export interface DelayLine<T> {
  /** Queues `item` (of `bytes` size) for delivery; `deliver` is called once, in order. */
  push(item: T, bytes: number): void;
  /**
   * Queues `item` for delivery at `dueUs` (on the line's clock), computed elsewhere; never before an
   * item queued earlier. `bytes` counts towards {@link queuedBytes}.
   */
  pushDue(item: T, bytes: number, dueUs: number): void;
  /** Bytes queued and not yet delivered (for backpressure). */
  readonly queuedBytes: number;
  /** Items queued and not yet delivered. */
  readonly queuedItems: number;
  /** Drops everything queued and stops timers. */
  clear(): void;
}

/** The due-time arithmetic of a link, without holding anything: where a message enters the link. */
export interface DueTimes {
  /**
   * Due time (µs, on the clock) of an item of `bytes` entering the link at `atUs` (default now);
   * non-decreasing. A hop that forwards what it held passes the time it was meant to release it, so
   * its own lateness is not carried into the next leg (the next hold absorbs it).
   */
  next(bytes: number, atUs?: number): number;
}

/**
 * `traversals` one-way crossings of a link in series, ms, for handshakes (no message stream): each
 * pays the delay and its own jitter sample; bandwidth is ignored. 0 for no shape or no crossings.
 */
export function sampleTraversalsMs(shape: LinkShape | undefined, traversals: number, random: () => number = Math.random): number {
  let totalMs = 0;
  for (let index = 0; index < traversals; index += 1) totalMs += (shape?.oneWayDelayMs ?? 0) + random() * (shape?.jitterMs ?? 0);
  return totalMs;
}

/** True when the shape adds nothing, so callers can skip the line entirely. */
export function isNoopLink(shape: LinkShape | undefined): boolean {
  return (
    shape === undefined ||
    ((shape.oneWayDelayMs ?? 0) <= 0 && (shape.jitterMs ?? 0) <= 0 && (shape.bandwidthBytesPerSec ?? 0) <= 0)
  );
}

/**
 * Due times of items entering a link of `shape`: transmitted from `max(now, linkFreeAt)` for
 * `bytes / bandwidth`, then arriving after delay + jitter, never before the previous item.
 */
export function createDueTimes(shape: LinkShape & LinkClock): DueTimes {
  const nowUs = shape.nowUs ?? sharedNowUs;
  const random = shape.random ?? Math.random;
  const delayUs = (shape.oneWayDelayMs ?? 0) * 1000;
  const jitterUs = (shape.jitterMs ?? 0) * 1000;
  const bytesPerUs = (shape.bandwidthBytesPerSec ?? 0) / 1_000_000;
  /** When the (emulated) link finishes serialising the last item, µs. */
  let wireFreeAtUs = 0;
  let lastDueUs = 0;
  return {
    next(bytes, atUs) {
      const now = atUs ?? nowUs();
      let departUs = now;
      if (bytesPerUs > 0) {
        departUs = Math.max(now, wireFreeAtUs) + bytes / bytesPerUs;
        wireFreeAtUs = departUs;
      }
      const jitter = jitterUs > 0 ? random() * jitterUs : 0;
      // Never earlier than the previous item: a link does not reorder.
      lastDueUs = Math.max(departUs + delayUs + jitter, lastDueUs);
      return lastDueUs;
    },
  };
}

export function createDelayLine<T>(options: DelayLineOptions, deliver: (item: T) => void): DelayLine<T> {
  const nowUs = options.nowUs ?? sharedNowUs;
  const dueTimes = createDueTimes({ ...options, nowUs });
  const spinWindowUs = options.spinWindowUs ?? 1500;
  const onLateness = options.onLateness;
  const queue: { item: T; bytes: number; dueUs: number }[] = [];
  let head = 0;
  let queuedBytes = 0;
  let lastDueUs = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const schedule = (): void => {
    if (timer !== undefined || immediate !== undefined) return;
    const next = queue[head];
    if (next === undefined) return;
    const waitUs = next.dueUs - nowUs();
    // A timer fires up to ~1 ms after its time (whole-ms loop clock), and Node runs anything under
    // 1 ms as 1 ms: a 0 ms timer armed with 1.6 ms left could fire 2 ms later, 0.4 ms past the due
    // time, with no spin at all. Sleep only when even a late firing leaves the spin window whole.
    if (waitUs - spinWindowUs >= 1000) {
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, Math.floor((waitUs - spinWindowUs) / 1000));
    } else {
      immediate = setImmediate(flush);
    }
  };

  const isHotEnabled = (options.keepHot ?? false) && isKeepHotEnabled;
  const isLingering = isHotEnabled && (options.linger ?? true);
  const isSpareCpu = options.isSpareCpu ?? (() => hasSpareCpu());
  // When the line last finished delivering, µs: an item that fell due while the line was still
  // delivering earlier ones (a 2 MiB response as 32 messages) waited for that work, which the same
  // transfer does at zero distance too; its lateness is counted from then, not from its due time.
  let deliveredUntilUs = Number.NEGATIVE_INFINITY;
  const flush = (): void => {
    immediate = undefined;
    let now = nowUs();
    const first = queue[head];
    // The last few hundred µs before a release: warm the socket path the release is about to take.
    if (isHotEnabled && first !== undefined && first.dueUs - now < WARM_LEAD_US && first.dueUs - now > 15) warmPulse(now);
    let delivered = 0;
    while (head < queue.length) {
      const next = queue[head]!;
      if (next.dueUs > now) break;
      head += 1;
      queuedBytes -= next.bytes;
      onLateness?.(Math.max(0, now - Math.max(next.dueUs, deliveredUntilUs)));
      deliver(next.item);
      delivered += 1;
      if (onLateness !== undefined) {
        now = nowUs();
        deliveredUntilUs = now;
      }
    }
    // Stay hot a little after the last release: the answer (or the next request) comes back fast.
    if (isLingering && delivered > 0 && head === queue.length) keepHot(now + LINGER_US, isSpareCpu());
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    schedule();
  };

  const enqueue = (item: T, bytes: number, dueUs: number): void => {
    lastDueUs = Math.max(dueUs, lastDueUs);
    queue.push({ item, bytes, dueUs: lastDueUs });
    queuedBytes += bytes;
    schedule();
  };

  return {
    push: (item, bytes) => enqueue(item, bytes, dueTimes.next(bytes)),
    pushDue: enqueue,
    get queuedBytes() {
      return queuedBytes;
    },
    get queuedItems() {
      return queue.length - head;
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
      queue.length = 0;
      head = 0;
      queuedBytes = 0;
    },
  };
}
