// Teaches each end of a timed hop (net/timed-socket.ts) what a hand-off costs when both processes
// are awake, so that a delayed message is released at due + that cost: the distance is added to
// the loopback machinery instead of to a cold process's wake-up.
//
// Measured (issue #12, 2-core VM): on a delayed hop every data message arrives at a process that
// sat idle for the delay, so the fastest arrival − send it shows is a cold one (100–200 µs, against
// ~30–50 µs awake). Adding that per traversal made the relay path read ~0.5 ms long at 11 ms RTT.
// One-way probes sent at open were no better (the processes are busy setting up the connection).
// A ping-pong is: each answer finds the other side just woken by the previous one, so after a few
// rounds both are awake, and half a round trip is a hot hand-off (net/hand-off-floor.ts takes the
// median of a run).
//
// Probes are messages with no payload whose due time is negative (a marker no real due time has);
// they are answered or learnt from, never delivered. Only hcbench's own timed ends speak them.

import { keepHot, MAX_WINDOW_US, type HotWindow } from './keep-hot.js';

/** Due-time marker of a ping: answer at once with a pong carrying the same send time. */
export const PING_DUE_US = -1;
/** Due-time marker of a pong: its send time is the ping's, so now − send time is a round trip. */
export const PONG_DUE_US = -2;
/** Round trips per hop end. */
export const PROBE_ROUNDS = 64;

/** True for the due time of a probe (ping or pong). */
export function isProbeDue(dueUs: number): boolean {
  return dueUs === PING_DUE_US || dueUs === PONG_DUE_US;
}

/** One hop end's prober. */
export interface HandOffProber {
  /** Starts a run of PROBE_ROUNDS pings (call once the socket is open); nothing while one is running. */
  start(): void;
  /** True from start() until the run's last pong (or a ping that could not be sent). */
  readonly isRunning: boolean;
  /** Handles a probe that arrived (its due and send time, arrival now): answers a ping, learns from a pong. */
  onProbe(dueUs: number, sentUs: number, arrivedUs: number): void;
}

/**
 * `send` writes a stamped message (returns false when the socket is not open any more); `stamp`
 * builds one from a due time and a send time; `learn` receives each hot hand-off estimate (µs).
 */
export function createHandOffProber(
  send: (message: Buffer) => boolean,
  stamp: (dueUs: number, sentUs: number) => Buffer,
  now: () => number,
  learn: (handOffUs: number) => void,
): HandOffProber {
  let rounds = 0;
  let isRunning = false;
  let hot: HotWindow | undefined;
  const stop = (): void => {
    hot?.end();
    hot = undefined;
    isRunning = false;
  };
  const ping = (): void => {
    if (rounds >= PROBE_ROUNDS) {
      stop();
      return;
    }
    rounds += 1;
    if (!send(stamp(PING_DUE_US, now()))) stop(); // closed: the run ends here
  };
  return {
    get isRunning() {
      return isRunning;
    },
    start() {
      if (isRunning) return;
      isRunning = true;
      rounds = 0;
      // Both ends poll while probing (the pinged end for a little after each ping), so what is learnt is the hot hand-off.
      hot = keepHot(now() + MAX_WINDOW_US);
      ping();
    },
    onProbe(dueUs, sentUs, arrivedUs) {
      if (dueUs === PING_DUE_US) {
        keepHot(now() + 1000);
        send(stamp(PONG_DUE_US, sentUs));
        return;
      }
      if (!isRunning) return; // a pong of no run of ours
      const roundTripUs = arrivedUs - sentUs;
      if (sentUs > 0 && roundTripUs >= 0) learn(roundTripUs / 2);
      ping();
    },
  };
}
