// A one-way network link stand-in: delivers items in order after a propagation delay (plus
// optional jitter and a bandwidth cap), never reordering. Node timers fire up to ~1 ms late, so
// the last `spinWindowUs` before an item is due are waited out with setImmediate polling; that
// keeps injected delays exact to tens of microseconds at the cost of some CPU while items are due.

/** Shape of one direction of a link. All fields default to 0 (no delay, no cap). */
export interface LinkShape {
  /** Propagation delay added to every item, milliseconds (fractional allowed). */
  oneWayDelayMs?: number;
  /** Uniform random extra delay in [0, jitterMs), milliseconds. Order is still preserved. */
  jitterMs?: number;
  /** Serialisation rate; 0 or absent = unlimited. Bytes per second. */
  bandwidthBytesPerSec?: number;
}

export interface DelayLineOptions extends LinkShape {
  /** Monotonic time in microseconds (fractional ok). Default: performance.now() * 1000. */
  nowUs?: () => number;
  /** Random source in [0, 1), for jitter. Default Math.random. */
  random?: () => number;
  /** How long before the due time to stop trusting timers and poll instead, µs. Default 1500. */
  spinWindowUs?: number;
}

export interface DelayLine<T> {
  /** Queues `item` (of `bytes` size) for delivery; `deliver` is called once, in order. */
  push(item: T, bytes: number): void;
  /** Bytes queued and not yet delivered (for backpressure). */
  readonly queuedBytes: number;
  /** Drops everything queued and stops timers. */
  clear(): void;
}

/** True when the shape adds nothing, so callers can skip the line entirely. */
export function isNoopLink(shape: LinkShape | undefined): boolean {
  return (
    shape === undefined ||
    ((shape.oneWayDelayMs ?? 0) <= 0 && (shape.jitterMs ?? 0) <= 0 && (shape.bandwidthBytesPerSec ?? 0) <= 0)
  );
}

export function createDelayLine<T>(options: DelayLineOptions, deliver: (item: T) => void): DelayLine<T> {
  const nowUs = options.nowUs ?? (() => performance.now() * 1000);
  const random = options.random ?? Math.random;
  const delayUs = (options.oneWayDelayMs ?? 0) * 1000;
  const jitterUs = (options.jitterMs ?? 0) * 1000;
  const bytesPerUs = (options.bandwidthBytesPerSec ?? 0) / 1_000_000;
  const spinWindowUs = options.spinWindowUs ?? 1500;
  const queue: { item: T; bytes: number; dueUs: number }[] = [];
  let head = 0;
  let queuedBytes = 0;
  /** When the (emulated) link finishes serialising the last queued item, µs. */
  let wireFreeAtUs = 0;
  let lastDueUs = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const schedule = (): void => {
    if (timer !== undefined || immediate !== undefined) return;
    const next = queue[head];
    if (next === undefined) return;
    const waitUs = next.dueUs - nowUs();
    if (waitUs > spinWindowUs) {
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, Math.floor((waitUs - spinWindowUs) / 1000));
    } else {
      immediate = setImmediate(flush);
    }
  };

  const flush = (): void => {
    immediate = undefined;
    const now = nowUs();
    while (head < queue.length) {
      const next = queue[head]!;
      if (next.dueUs > now) break;
      head += 1;
      queuedBytes -= next.bytes;
      deliver(next.item);
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    schedule();
  };

  return {
    push(item, bytes) {
      const now = nowUs();
      let departUs = now;
      if (bytesPerUs > 0) {
        departUs = Math.max(now, wireFreeAtUs) + bytes / bytesPerUs;
        wireFreeAtUs = departUs;
      }
      const jitter = jitterUs > 0 ? random() * jitterUs : 0;
      // Never earlier than the previous item: a link does not reorder.
      const dueUs = Math.max(departUs + delayUs + jitter, lastDueUs);
      lastDueUs = dueUs;
      queue.push({ item, bytes, dueUs });
      queuedBytes += bytes;
      schedule();
    },
    get queuedBytes() {
      return queuedBytes;
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
