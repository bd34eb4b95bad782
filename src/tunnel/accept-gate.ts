// Admission of the relay's `accept` commands by the descriptors the agent's connections hold.
// hyco-ws (and our ws 8 listener) opens the rendezvous socket for an accept the moment the control
// channel delivers it, before the agent can refuse anything; a reset burst sends accepts for senders
// already gone (each answered 403 only when the relay gets to it), and took the agent past its
// open-file limit: a rendezvous connect then failed with EMFILE, and a live sender waited out the
// relay's rendezvous timeout. Pausing the channel's socket is not enough (one read of 64 KB carries
// about a hundred accepts), so the gate sits between the channel and its own 'message' handler: a
// message is handed on only while rendezvous + target sockets are below the budget, otherwise it
// waits in order; reading pauses while many wait. hyco-ws handles each message exactly as it would;
// only the moment of delivery changes. Bookkeeping and dispatch only: it opens no sockets.

import { WS_OPEN } from '../net/message-socket.js';

/** Queued messages at which the channel's socket stops being read (then read on at half of it). */
const DEFAULT_MAX_QUEUED = 512;

/** A control channel as the gate uses it (a ws 1.1.5 or ws 8 WebSocket). */
export interface GatedChannel {
  readonly readyState: number;
  listeners(event: 'message'): ((...args: never[]) => void)[];
  removeAllListeners(event: 'message'): unknown;
  on(event: 'message', listener: (...args: unknown[]) => void): unknown;
  pause(): void;
  resume(): void;
}

export interface AcceptGateOptions {
  /** Descriptors the connections may hold (rendezvous + target sockets); delivery waits at this many. */
  budget: number;
  /** Target sockets held now (one per live accepted connection). */
  targets: () => number;
  maxQueued?: number;
}

export interface AcceptGate {
  /** Routes `channel`'s current 'message' handlers through the gate; again for the same channel does nothing. */
  attach(channel: GatedChannel): void;
  /** A rendezvous socket was opened; returns its release (idempotent), to call when it has closed. */
  opened(): () => void;
  /** Re-evaluates after a target socket closed. */
  changed(): void;
  /** Counters: messages waiting now, most waiting at once, deliveries that had to wait. */
  stats(): { queued: number; peakQueued: number; delayed: number };
  /** Reads every channel again and never pauses one again (closing: the relay's answers must be read); waiting messages are still delivered within the budget. */
  stop(): void;
}

export function createAcceptGate(options: AcceptGateOptions): AcceptGate {
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const attached = new WeakSet<GatedChannel>();
  const queue: { channel: GatedChannel; deliver: () => void }[] = [];
  let rendezvous = 0;
  let peakQueued = 0;
  let delayed = 0;
  let isStopped = false;
  /** Channels whose socket is paused by the gate. */
  const paused = new Set<GatedChannel>();

  const isOpen = (): boolean => rendezvous + options.targets() < options.budget;
  // ws 1.1.5 throws on pause() and resume() unless the channel is open (a closed one reads nothing anyway).
  const setReading = (channel: GatedChannel, isReading: boolean): void => {
    if (channel.readyState !== WS_OPEN) return;
    if (isReading) channel.resume();
    else channel.pause();
  };
  const drain = (): void => {
    while (queue.length > 0 && isOpen()) queue.shift()?.deliver();
    if (queue.length > maxQueued / 2 && !isStopped) return;
    for (const channel of paused) setReading(channel, true);
    paused.clear();
  };

  return {
    attach(channel) {
      if (attached.has(channel)) return;
      attached.add(channel);
      const handlers = channel.listeners('message');
      channel.removeAllListeners('message');
      channel.on('message', (...args: unknown[]) => {
        const deliver = (): void => {
          for (const handler of handlers) (handler as (...a: unknown[]) => void).apply(channel, args);
        };
        if (queue.length === 0 && isOpen()) return deliver();
        delayed += 1;
        queue.push({ channel, deliver });
        peakQueued = Math.max(peakQueued, queue.length);
        if (queue.length >= maxQueued && !isStopped && !paused.has(channel)) {
          paused.add(channel);
          setReading(channel, false);
        }
      });
    },
    opened() {
      rendezvous += 1;
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        rendezvous -= 1;
        drain();
      };
    },
    changed: drain,
    stats: () => ({ queued: queue.length, peakQueued, delayed }),
    stop() {
      isStopped = true;
      drain();
    },
  };
}
