// Network-distance emulation for one direction of one leg: one-way delay, jitter and a bandwidth
// cap, applied per message in FIFO order (never reordering). Knows no sockets.

import { createDelayLine } from '../net/delay-line.js';

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
  /**
   * Round trips of its leg every new WebSocket to the relay pays before its upgrade request arrives:
   * TCP's handshake plus the TLS round trips (2 for TCP and TLS 1.3). The endpoints' own TCP and
   * plain ws:// complete on loopback, so the relay charges them with the upgrade. Default 0.
   */
  handshakeRoundTrips?: number;
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

/**
 * One sample of a leg's one-way latency in ms (delay + jitter), for things that are not message
 * streams (handshakes, HTTP requests); bandwidth is ignored there. 0 for no shape.
 */
export function sampleOneWayMs(shape: LegShape | undefined, random: () => number = Math.random): number {
  return shape === undefined ? 0 : shape.oneWayDelayMs + random() * (shape.jitterMs ?? 0);
}

/** Runs `action` after `delayMs` (at once when below half a millisecond); the timer does not keep the process alive. */
export function runAfter(delayMs: number, action: () => void): void {
  if (delayMs < 0.5) action();
  else setTimeout(action, delayMs).unref();
}

/** A shaper that delivers synchronously (no shape configured). */
export const passThroughShaper: Shaper = { submit: (_bytes, deliver) => deliver(), clear: () => {} };

/**
 * Creates a shaper on the shared delay line (src/net/delay-line.ts), so the relay's legs and the
 * direct path's shim delay traffic with one mechanism and the same precision: a message submitted
 * at `t` is transmitted from `max(t, linkFreeAt)` for `bytes / bandwidth` s, then arrives after
 * delay + jitter, never before the previous message.
 */
export function createShaper(shape: LegShape | undefined, clock: ShaperClock = defaultClock): Shaper {
  if (shape === undefined || isNeutralShape(shape)) return passThroughShaper;
  const line = createDelayLine<() => void>(
    { ...shape, nowUs: () => clock.nowMs() * 1000, random: clock.random },
    (deliver) => deliver(),
  );
  return {
    submit: (bytes, deliver) => line.push(deliver, bytes),
    clear: () => line.clear(),
  };
}

/**
 * The shaper for a message that crosses two legs in series (e.g. sender leg up, then listener leg
 * down). Without bandwidth caps the two are folded into one delay line (delay a + b, jitter
 * a-jitter × U1 + b-jitter × U2, same distribution as in series), which halves the timers and the
 * sub-ms polling the relay process spends per message. With a cap, the legs stay two lines.
 */
export function createSeriesShaper(first: LegShape | undefined, second: LegShape | undefined, clock: ShaperClock = defaultClock): Shaper[] {
  const hasCap = (first?.bandwidthBytesPerSec ?? 0) > 0 || (second?.bandwidthBytesPerSec ?? 0) > 0;
  if (hasCap) return [createShaper(first, clock), createShaper(second, clock)].filter((shaper) => shaper !== passThroughShaper);
  const firstJitterMs = first?.jitterMs ?? 0;
  const secondJitterMs = second?.jitterMs ?? 0;
  const combined: LegShape = {
    oneWayDelayMs: (first?.oneWayDelayMs ?? 0) + (second?.oneWayDelayMs ?? 0),
    // The line multiplies random() by jitterMs; a 1 ms "unit" lets random() return the summed jitter in ms.
    ...(firstJitterMs + secondJitterMs > 0 ? { jitterMs: 1 } : {}),
  };
  const random = (): number => firstJitterMs * clock.random() + secondJitterMs * clock.random();
  const shaper = createShaper(combined, { nowMs: clock.nowMs, random });
  return shaper === passThroughShaper ? [] : [shaper];
}
