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

import { createDelayLine, createDueTimes, type LinkClock, type LinkShape } from './delay-line.js';
import type { LatenessRecorder } from './lateness.js';
import { type MessageSocket, messageToBuffer } from '../tunnel/message-socket.js';

/** Bytes of the due-time prefix (float64, µs on the shared clock, big-endian). */
export const DUE_PREFIX_BYTES = 8;

/** `payload` with its due time in front. */
export function stampDue(dueUs: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(DUE_PREFIX_BYTES + payload.length);
  out.writeDoubleBE(dueUs, 0);
  payload.copy(out, DUE_PREFIX_BYTES);
  return out;
}

/** Splits a stamped message; a message shorter than the prefix is due at once (0). */
export function readDue(message: Buffer): { dueUs: number; payload: Buffer } {
  if (message.length < DUE_PREFIX_BYTES) return { dueUs: 0, payload: message };
  const dueUs = message.readDoubleBE(0);
  return { dueUs: Number.isFinite(dueUs) ? dueUs : 0, payload: message.subarray(DUE_PREFIX_BYTES) };
}

type Listener = (...args: unknown[]) => void;

/**
 * Wraps `ws` so outgoing messages carry the due time of `outgoing` (the leg they enter) and
 * incoming ones are held until their due time; 'close' is held behind the messages before it.
 */
export function timedMessageSocket(ws: MessageSocket, outgoing: LinkShape, lateness?: LatenessRecorder, clock: LinkClock = {}): MessageSocket {
  const dueTimes = createDueTimes({ ...outgoing, ...clock });
  const messageListeners: Listener[] = [];
  const closeListeners: Listener[] = [];
  type Held = { kind: 'message'; data: Buffer } | { kind: 'close'; code: number; reason: unknown };
  const hold = createDelayLine<Held>(
    { ...clock, ...(lateness === undefined ? {} : { onLateness: (us: number) => lateness.record(us) }) },
    (held) => {
      if (held.kind === 'message') for (const l of messageListeners) l(held.data, true);
      else for (const l of closeListeners) l(held.code, held.reason);
    },
  );
  let lastDueUs = 0;
  ws.on('message', (data) => {
    const { dueUs, payload } = readDue(messageToBuffer(data));
    lastDueUs = Math.max(lastDueUs, dueUs);
    hold.pushDue({ kind: 'message', data: payload }, payload.length, dueUs);
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
    send: (data, options, cb) => ws.send(stampDue(dueTimes.next(data.length), data), options, cb),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => {
      hold.clear();
      ws.terminate();
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    on(event: string, listener: Listener) {
      if (event === 'message') messageListeners.push(listener);
      else if (event === 'close') closeListeners.push(listener);
      else ws.on(event as 'open', listener as () => void);
      return wrapper;
    },
  } as MessageSocket;
  return wrapper;
}
