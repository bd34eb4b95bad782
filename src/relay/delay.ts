// Network-distance emulation for one direction of one leg: one-way delay, jitter and a bandwidth
// cap, applied per message in FIFO order (never reordering). Owns one timer; knows no sockets.

/** The shape of one leg (sender↔relay or relay↔listener); applied in each direction separately. */
export interface LegShape {
  /** Fixed one-way delay in ms (fractions allowed; timers resolve to ~1 ms). >= 0. */
  oneWayDelayMs: number;
  /** Extra random delay, uniform in [0, jitterMs] ms per message; order is kept anyway. Default 0. */
  jitterMs?: number;
  /** Serialization rate in bytes per second; messages queue behind each other. Default unlimited. */
  bandwidthBytesPerSec?: number;
}

/** Per-leg shapes of the relay; a missing leg adds nothing. */
export interface RelayDelays {
  senderLeg?: LegShape;
  listenerLeg?: LegShape;
}

/** Schedules deliveries for one direction. `deliver` callbacks run in submission order. */
export interface Shaper {
  submit(bytes: number, deliver: () => void): void;
  /** Drops everything queued (socket closed). */
  clear(): void;
}

export interface ShaperClock {
  /** Monotonic time in ms with sub-ms resolution. Default `performance.now`. */
  nowMs: () => number;
  /** Uniform random in [0, 1). Default Math.random. */
  random: () => number;
}

const defaultClock: ShaperClock = { nowMs: () => performance.now(), random: Math.random };

/** True when the shape changes nothing, so callers can skip the queue entirely. */
export function isNeutralShape(shape: LegShape | undefined): boolean {
  return (
    shape === undefined ||
    (shape.oneWayDelayMs <= 0 && (shape.jitterMs ?? 0) <= 0 && (shape.bandwidthBytesPerSec ?? 0) <= 0)
  );
}

/** A shaper that delivers synchronously (no shape configured). */
export const passThroughShaper: Shaper = { submit: (_bytes, deliver) => deliver(), clear: () => {} };

/**
 * Creates a shaper. A message submitted at `t` is transmitted from `max(t, linkFreeAt)` for
 * `bytes / bandwidth` s, then arrives after delay + jitter, and never before the previous message.
 * One timer is armed for the head of the queue, so deliveries keep order even within the same ms.
 */
export function createShaper(shape: LegShape | undefined, clock: ShaperClock = defaultClock): Shaper {
  if (shape === undefined || isNeutralShape(shape)) return passThroughShaper;
  const queue: { releaseAtMs: number; deliver: () => void }[] = [];
  let linkFreeAtMs = 0;
  let lastReleaseAtMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const bandwidth = shape.bandwidthBytesPerSec ?? 0;
  const jitterMs = shape.jitterMs ?? 0;

  const flush = (): void => {
    timer = undefined;
    const now = clock.nowMs();
    // Deliver everything due; 0.5 ms early is closer on average than up to 1 ms late.
    while (queue.length > 0 && (queue[0]?.releaseAtMs ?? 0) <= now + 0.5) queue.shift()?.deliver();
    arm();
  };
  const arm = (): void => {
    const head = queue[0];
    if (head === undefined || timer !== undefined) return;
    timer = setTimeout(flush, Math.max(0, head.releaseAtMs - clock.nowMs()));
  };
  return {
    submit(bytes, deliver) {
      const now = clock.nowMs();
      const startMs = Math.max(now, linkFreeAtMs);
      linkFreeAtMs = bandwidth > 0 ? startMs + (bytes / bandwidth) * 1000 : startMs;
      const arrivalMs = linkFreeAtMs + shape.oneWayDelayMs + clock.random() * jitterMs;
      lastReleaseAtMs = Math.max(arrivalMs, lastReleaseAtMs);
      queue.push({ releaseAtMs: lastReleaseAtMs, deliver });
      arm();
    },
    clear() {
      queue.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
