// Pending WebSocket rendezvous: a sender's held upgrade waiting for a listener to open the
// single-use accept address. Owns the timers; does not write HTTP or bridge anything.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** A sender upgrade that is held (no 101 yet) until the listener connects to its accept address. */
export interface PendingRendezvous {
  /** Id in the accept address (`sb-hc-id`); unguessable, single use. */
  id: string;
  hcName: string;
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

/**
 * Rendezvous ids: the sender's own `sb-hc-id` (if any) plus a random suffix, so the accept URL is a
 * bearer capability nobody can guess even when the sender's id is known.
 */
export function createRendezvousId(senderTrackingId: string | null): string {
  const random = randomBytes(16).toString('hex');
  return senderTrackingId === null || senderTrackingId === '' ? random : `${senderTrackingId.slice(0, 64)}_G0_${random}`;
}

/** Held rendezvous keyed by id; each expires after `timeoutMs` unless taken first. */
export class RendezvousTable {
  private readonly pending = new Map<string, { entry: PendingRendezvous; timer: NodeJS.Timeout }>();

  constructor(
    private readonly timeoutMs: number,
    private readonly onExpire: (entry: PendingRendezvous) => void,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  add(entry: PendingRendezvous): void {
    const timer = setTimeout(() => {
      this.pending.delete(entry.id);
      this.onExpire(entry);
    }, this.timeoutMs);
    timer.unref();
    this.pending.set(entry.id, { entry, timer });
  }

  /** Removes and returns the entry (single use); undefined when unknown, used or expired. */
  take(id: string): PendingRendezvous | undefined {
    const found = this.pending.get(id);
    if (found === undefined) return undefined;
    clearTimeout(found.timer);
    this.pending.delete(id);
    return found.entry;
  }

  /** Removes and returns every pending entry (shutdown). */
  drain(): PendingRendezvous[] {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const { timer } of entries) clearTimeout(timer);
    return entries.map(({ entry }) => entry);
  }
}
