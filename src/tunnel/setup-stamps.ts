// Per-connection setup stamps of a tunnel endpoint on the shared monotonic clock, kept for the most
// recent connections only (a bounded ring), so the forwarder's and the agent's can be joined into
// the setup's steps (metrics/setup-steps.ts). Also the tracking ids that carry the join.

import { pid } from 'node:process';
import { sharedNowUs } from '../net/shared-clock.js';
import type { AgentSetupStamps, ForwarderSetupStamps } from '../metrics/setup-steps.js';
import { trackingIdOf } from '../metrics/setup-steps.js';

export type { AgentSetupStamps, ForwarderSetupStamps } from '../metrics/setup-steps.js';

/** Completed connections whose stamps an endpoint keeps (the most recent ones). */
export const SETUP_STAMPS_KEPT = 256;

/** A bounded ring of completed stamps, oldest dropped first. */
export interface StampRing<T> {
  push(stamps: T): void;
  /** The kept stamps, oldest first (copies of the references; callers must not mutate). */
  snapshot(): T[];
}

/** A ring keeping the last `capacity` (>= 1) stamps. */
export function createStampRing<T>(capacity = SETUP_STAMPS_KEPT): StampRing<T> {
  const items: T[] = [];
  let next = 0;
  return {
    push(stamps) {
      if (items.length < capacity) items.push(stamps);
      else items[next] = stamps;
      next = (next + 1) % capacity;
    },
    snapshot: () => (items.length < capacity ? [...items] : [...items.slice(next), ...items.slice(0, next)]),
  };
}

let sequence = 0;

/**
 * A sender tracking id for `sb-hc-id`, unique on this machine for the process's lifetime: letters
 * and digits only (no `_`, which the relay's gateway suffixes start with).
 */
export function nextTrackingId(): string {
  sequence += 1;
  return `hcb${pid.toString(36)}x${sequence.toString(36)}`;
}

const acceptIdPattern = /[?&]sb-hc-id=([^&#]*)/;

/** The sender's tracking id from an accept address (`sb-hc-id=<id>_G…`); undefined when it has none. */
export function trackingIdOfAddress(address: string | undefined): string | undefined {
  const match = address === undefined ? null : acceptIdPattern.exec(address);
  if (match === null) return undefined;
  try {
    return trackingIdOf(decodeURIComponent(match[1] ?? ''));
  } catch {
    return undefined;
  }
}

/** The agent's side of one setup: call `opened` and `targetConnected` as they happen. */
export interface AgentSetupTracker {
  opened(): void;
  targetConnected(): void;
}

/**
 * Starts stamping one relayed connection the agent was offered (now: the accept message was just
 * handled). When both its WebSocket is open and its target connected, `onDone` gets the stamps and
 * the setup's length in ns (offer → both done). Stamps without a tracking id are not kept.
 */
export function trackAgentSetup(acceptAddress: string | undefined, ring: StampRing<AgentSetupStamps>, onDone: (setupNs: bigint) => void): AgentSetupTracker {
  const stamps: AgentSetupStamps = { id: trackingIdOfAddress(acceptAddress) ?? '', offeredUs: sharedNowUs() };
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending > 0) return;
    onDone(BigInt(Math.round((sharedNowUs() - stamps.offeredUs) * 1000)));
    if (stamps.id !== '') ring.push(stamps);
  };
  return {
    opened() {
      stamps.openUs = sharedNowUs();
      done();
    },
    targetConnected() {
      stamps.targetUs = sharedNowUs();
      done();
    },
  };
}
