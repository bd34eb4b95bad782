// A relayed WebSocket whose leg delay is applied by the process that RECEIVES each message.
//
// Why (measured, issue #12): a delay line that releases a message in the sending process hands it
// to a receiver that sat idle for the whole delay; waking it (a vCPU out of halt, or a CPU to
// share on a busy machine) took 60–300 µs per hop, and the relay path has more such hops than
// the direct path, so the emulated network added more than configured, and more on the relay.
// Here the sender computes the due time (shared monotonic clock, delay-line arithmetic) and sends
// at once, with the due time as an 8-byte prefix; the receiver holds the message until it is due
// (spinning the last 1.5 ms), so the hand-off happens while the message is still "in flight" and
// the receiver is awake when it is released. Each side needs to be told (both ends are hcbench's
// own: forwarder, agent and the emulated relay with `timedLegs`); never used on a real relay.
//
// A hop at zero distance costs its loopback hand-off (~30–50 µs for a WebSocket hop when the
// receiver is awake), and a real network pays its hosts' send and receive work on top of the
// propagation delay. So that the distance is added to that cost rather than swallowing it, the
// message also carries its send time, and the receiver releases it at due + the hop's hot hand-off
// (net/hand-off-floor.ts: the median of a ping-pong probing run; the running minimum of
// arrival − send until there is one). Only the excess of a slow hand-off (a wake-up, a wait for a
// CPU) is absorbed by the delay.

import { createDelayLine, createDueTimes, type LinkClock, type LinkShape } from './delay-line.js';
import type { LatenessRecorder } from './lateness.js';
import { sharedNowUs } from './shared-clock.js';
import { createHandOffProber, isProbeDue } from './hand-off-probe.js';
import { createHandOffFloor, type HandOffFloor } from './hand-off-floor.js';
import { isKeepHotEnabled } from './keep-hot.js';
import { type MessageSocket, messageToBuffer } from './message-socket.js';

/** Above this many held bytes the WebSocket is paused (resumed below half), so a hold never grows without bound. */
export const HOLD_HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** Bytes of the prefix: due time, then send time (float64 each, µs on the shared clock, big-endian). */
export const DUE_PREFIX_BYTES = 16;

/** `payload` with its due and send times in front. */
export function stampDue(dueUs: number, payload: Buffer, sentUs: number = sharedNowUs()): Buffer {
  const out = Buffer.allocUnsafe(DUE_PREFIX_BYTES + payload.length);
  out.writeDoubleBE(dueUs, 0);
  out.writeDoubleBE(sentUs, 8);
  payload.copy(out, DUE_PREFIX_BYTES);
  return out;
}

/** Splits a stamped message; a message shorter than the prefix is due at once (0). */
export function readDue(message: Buffer): { dueUs: number; sentUs: number; payload: Buffer } {
  if (message.length < DUE_PREFIX_BYTES) return { dueUs: 0, sentUs: 0, payload: message };
  const dueUs = message.readDoubleBE(0);
  const sentUs = message.readDoubleBE(8);
  return { dueUs: Number.isFinite(dueUs) ? dueUs : 0, sentUs: Number.isFinite(sentUs) ? sentUs : 0, payload: message.subarray(DUE_PREFIX_BYTES) };
}

/** The probes of one hop end: a run at open, and more on data arrivals while the floor has none accepted. */
export interface HopProber {
  /** The socket is open: start a run if the floor grants one. */
  start(): void;
  /** A data message arrived: while the floor has no accepted run, start one if the floor grants it (see HandOffFloor.isProbeWanted). */
  onData(): void;
  /** A probe arrived: answers a ping, learns from a pong of its own run. */
  onProbe(dueUs: number, sentUs: number, arrivedUs: number): void;
}

/**
 * The probes of one hop end (net/hand-off-probe.ts), teaching `floor`: `send` writes a message
 * (false when the socket is not open any more). It starts a run only when `floor` grants it one
 * (see HandOffFloor.claimProbe); it always answers the other end's pings. With HCBENCH_KEEP_HOT=0
 * it never probes.
 */
export function createHopProber(send: (message: Buffer) => boolean, floor: HandOffFloor, nowUs: () => number = sharedNowUs): HopProber {
  const owner = {};
  const prober = createHandOffProber(send, (dueUs, sentUs) => stampDue(dueUs, Buffer.alloc(0), sentUs), nowUs, (handOffUs) => floor.learn(owner, handOffUs, nowUs()));
  if (!isKeepHotEnabled) return { start: () => undefined, onData: () => undefined, onProbe: prober.onProbe };
  const start = (): void => {
    if (!prober.isRunning && floor.claimProbe(owner, nowUs())) prober.start();
  };
  return {
    start,
    onData: () => {
      if (floor.isProbeWanted) start();
    },
    onProbe: prober.onProbe,
  };
}

/** Arrivals on one hop closer together than this, µs, belong to one burst (the receiver was still busy with it). */
export const BURST_GAP_US = 500;

/**
 * How long each message of a burst queued before it left, µs: the time it spent behind earlier
 * messages of the same burst (the sender's buffers, a receiver parsing 64 KB frames). A real link
 * delays bytes from when they leave, not from when the application wrote them, so the receiver adds
 * this to the message's due time: a 2 MiB response streamed as many messages then pays its transfer
 * time plus the distance, as on the direct path (whose proxy holds from arrival), and its queueing
 * is not reported as the emulation's lateness. The first message after an idle spell carries the
 * receiver's wake-up in its transit; that is absorbed by the delay (see above) and is the burst's
 * base: later messages count only what they took beyond it.
 */
export interface QueueTracker {
  /** Queueing of a message sent at `sentUs` (0: unknown) that arrived at `arrivedUs`, µs. */
  queuedUs(sentUs: number, arrivedUs: number): number;
}

/** A tracker for one direction of one hop. */
export function createQueueTracker(): QueueTracker {
  let lastArrivalUs = Number.NEGATIVE_INFINITY;
  let baseTransitUs = 0;
  return {
    queuedUs(sentUs, arrivedUs) {
      const isInBurst = arrivedUs - lastArrivalUs < BURST_GAP_US;
      lastArrivalUs = arrivedUs;
      if (sentUs <= 0) return 0;
      const transitUs = arrivedUs - sentUs;
      if (!isInBurst) {
        baseTransitUs = transitUs;
        return 0;
      }
      return Math.max(0, transitUs - baseTransitUs);
    },
  };
}

type Listener = (...args: unknown[]) => void;

/** One end of a timed leg: the shape of what it sends, and how much earlier than due it releases what it holds. */
export interface TimedLeg extends LinkShape {
  /**
   * µs before the due time (default 0, never before arrival): what the hop after this end's release
   * costs beyond the same hop at zero distance (net/in-process-hop.ts postReleaseCostUs), measured
   * where it holds. The agent sets it; its release goes to the target.
   */
  releaseEarlyUs?: number;
}

/**
 * Wraps `ws` so outgoing messages carry the due time of `outgoing` (the leg they enter) and
 * incoming ones are held until their due time (less `outgoing.releaseEarlyUs`); 'close' is held
 * behind the messages before it. `floor`: the hop's hand-off floor, one per endpoint (default: this
 * socket's own).
 */
export function timedMessageSocket(
  ws: MessageSocket,
  outgoing: TimedLeg,
  lateness?: LatenessRecorder,
  clock: LinkClock = {},
  floor: HandOffFloor = createHandOffFloor(),
): MessageSocket {
  const earlyUs = Math.max(0, outgoing.releaseEarlyUs ?? 0);
  const dueTimes = createDueTimes({ ...outgoing, ...clock });
  const messageListeners: Listener[] = [];
  const closeListeners: Listener[] = [];
  type Held = { kind: 'message'; data: Buffer } | { kind: 'close'; code: number; reason: unknown };
  const hold = createDelayLine<Held>(
    { ...clock, keepHot: true, ...(lateness === undefined ? {} : { onLateness: (us: number) => lateness.record(us) }) },
    (held) => {
      if (held.kind === 'message') for (const l of messageListeners) l(held.data, true);
      else for (const l of closeListeners) l(held.code, held.reason);
      if (paused.byHold && hold.queuedBytes <= HOLD_HIGH_WATER_BYTES / 2) {
        paused.byHold = false;
        applyPause();
      }
    },
  );
  let lastDueUs = 0;
  // Paused while the pump asks (TCP backpressure) or while too much is held; ws 1.1.5 throws unless OPEN.
  const paused = { byPump: false, byHold: false, isApplied: false };
  const applyPause = (): void => {
    const want = paused.byPump || paused.byHold;
    if (want === paused.isApplied) return;
    try {
      if (want) ws.pause();
      else ws.resume();
      paused.isApplied = want;
    } catch {
      // not open: nothing to pause or resume
    }
  };
  const queue = createQueueTracker();
  const nowUs = clock.nowUs ?? sharedNowUs;
  const prober = createHopProber(
    (message) => {
      if (ws.readyState !== 1) return false;
      try {
        ws.send(message, { binary: true });
        return true;
      } catch {
        return false; // closed meanwhile: a probe is only a hint
      }
    },
    floor,
    nowUs,
  );
  ws.on('message', (data) => {
    const { dueUs, sentUs, payload } = readDue(messageToBuffer(data));
    const arrivedUs = nowUs();
    if (isProbeDue(dueUs)) {
      prober.onProbe(dueUs, sentUs, arrivedUs);
      return;
    }
    const releaseUs = Math.max(arrivedUs, floor.releaseAt(dueUs + queue.queuedUs(sentUs, arrivedUs), sentUs, arrivedUs) - earlyUs);
    lastDueUs = Math.max(lastDueUs, releaseUs);
    hold.pushDue({ kind: 'message', data: payload }, payload.length, releaseUs);
    if (!paused.byHold && hold.queuedBytes > HOLD_HIGH_WATER_BYTES) {
      paused.byHold = true;
      applyPause();
    }
    prober.onData(); // after the message is held: a run it starts does not delay it
  });
  ws.on('close', (code, reason) => {
    // A close is never held beyond what is queued (it was sent after them); with nothing held it is immediate.
    if (hold.queuedItems === 0) for (const l of closeListeners) l(code, reason);
    else hold.pushDue({ kind: 'close', code, reason }, 0, lastDueUs);
  });
  const wrapper: MessageSocket = {
    get readyState() {
      return ws.readyState;
    },
    // The TCP socket underneath (message-socket.ts reaches it to observe, resume or destroy it).
    get _socket() {
      return (ws as unknown as { _socket?: unknown })._socket;
    },
    // ws 8's handshake request while connecting (message-socket.ts's discardWebSocket aborts it).
    get _req() {
      return (ws as unknown as { _req?: unknown })._req;
    },
    send: (data, options, cb) => ws.send(stampDue(dueTimes.next(data.length), data, nowUs()), options, cb),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => {
      hold.clear();
      ws.terminate();
    },
    pause: () => {
      if (ws.readyState !== 1) ws.pause(); // keeps ws 1.1.5's "not open" throw for the pump to catch
      paused.byPump = true;
      applyPause();
    },
    resume: () => {
      if (ws.readyState !== 1) ws.resume();
      paused.byPump = false;
      applyPause();
    },
    on(event: string, listener: Listener) {
      if (event === 'message') messageListeners.push(listener);
      else if (event === 'close') closeListeners.push(listener);
      else ws.on(event as 'open', listener as () => void);
      return wrapper;
    },
  } as MessageSocket;
  if (ws.readyState === 1) prober.start();
  else ws.on('open', () => prober.start());
  return wrapper;
}
