// What one loopback TCP hop costs inside a process that is awake, measured by a ping-pong between
// two sockets of this process. The direct path's delay proxy (delay-proxy.ts) sits between the
// driver and the target, so every delayed traversal pays one loopback hop more than the same path
// at zero distance (driver → proxy → target instead of driver → target). Releasing each traversal
// that much early adds the configured distance to the zero-distance path, not to a longer one
// (issue #12: the direct path read +120–200 µs over configured RTT + its loopback p50).
//
// A hop taken right after a hold costs more than one between back-to-back messages: the process
// sat idle for the delay (only its last 1.5 ms spinning, net/delay-line.ts), and its socket path is
// cold. Measured on the 2-core VM (median of 11, through a delay line of the same hold): 54 µs
// after 0.5 ms, 57 after 5.5 ms, 80–88 after 20–40 ms, against 14–25 µs back to back. Both the
// direct path's proxy (towards the target) and the relay path's agent release into such a hop,
// which at zero distance is hot; {@link postReleaseCostUs} is that difference, measured where the
// hold is (issue #12: without it the direct path read +53/+88/+118 µs over configured RTT + its
// loopback p50 at 11/40/81 ms, growing with the distance).

import net from 'node:net';
import { once } from 'node:events';
import { isKeepHotEnabled, keepHot, MAX_WINDOW_US } from './keep-hot.js';
import { createDelayLine } from './delay-line.js';
import { sharedNowUs } from './shared-clock.js';

/** Ping-pong rounds; the fastest half round trip is the estimate (as the relay's hand-off probes). */
export const HOP_PROBE_ROUNDS = 64;
/** An estimate is never above this, µs (a slow probe on a busy machine must not release data early by much). */
export const MAX_HOP_US = 100;

/** A connected loopback socket pair of this process (client, accepted peer), or an AbortError at `deadline`. */
async function openPair(server: net.Server, sockets: net.Socket[], deadline: AbortSignal): Promise<[net.Socket, net.Socket]> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', { signal: deadline });
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection', { signal: deadline });
  const client = net.connect({ host: '127.0.0.1', port, noDelay: true });
  sockets.push(client);
  const [peer] = (await accepted) as [net.Socket];
  sockets.push(peer);
  peer.setNoDelay(true);
  return [client, peer];
}

/** Fastest half round trip over a loopback socket pair of this process, µs; 0 when it could not be measured. */
export async function measureInProcessHopUs(rounds: number = HOP_PROBE_ROUNDS, deadlineMs = 2000): Promise<number> {
  const server = net.createServer({ noDelay: true });
  const sockets: net.Socket[] = [];
  const deadline = AbortSignal.timeout(deadlineMs);
  try {
    const [client, peer] = await openPair(server, sockets, deadline);
    peer.on('data', (chunk: Buffer) => peer.write(chunk));
    const hot = keepHot(sharedNowUs() + MAX_WINDOW_US);
    let best = Number.POSITIVE_INFINITY;
    try {
      for (let i = 0; i < rounds && !deadline.aborted; i += 1) {
        const sentUs = sharedNowUs();
        const reply = once(client, 'data', { signal: deadline });
        client.write('p');
        await reply;
        best = Math.min(best, (sharedNowUs() - sentUs) / 2);
      }
    } finally {
      hot.end();
    }
    return Number.isFinite(best) ? Math.min(best, MAX_HOP_US) : 0;
  } catch {
    return 0; // no estimate: the proxy then releases at the due time, as before
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
}

let cached: Promise<number> | undefined;

/** {@link measureInProcessHopUs} once per process. */
export function inProcessHopUs(): Promise<number> {
  cached ??= measureInProcessHopUs();
  return cached;
}

/** Rounds of {@link measureReleasedHopUs}; the median is the estimate. */
export const RELEASED_HOP_ROUNDS = 11;
/** The longest hold {@link measureReleasedHopUs} waits before each release, ms (bounds the measurement to ~0.6 s). */
export const MAX_RELEASED_HOLD_MS = 50;

/**
 * One-way time of a loopback hop of this process taken straight after a delay line (keep-hot, as
 * the proxy's and the agent's) released the data after `holdMs` (at most
 * {@link MAX_RELEASED_HOLD_MS}), µs: the median of `rounds`, capped at {@link MAX_HOP_US}; 0 when it
 * could not be measured within `deadlineMs`.
 */
export async function measureReleasedHopUs(holdMs: number, rounds: number = RELEASED_HOP_ROUNDS, deadlineMs = 3000): Promise<number> {
  const server = net.createServer({ noDelay: true });
  const sockets: net.Socket[] = [];
  const deadline = AbortSignal.timeout(deadlineMs);
  const holdShape = { oneWayDelayMs: Math.min(Math.max(holdMs, 0.1), MAX_RELEASED_HOLD_MS), keepHot: true };
  const line = createDelayLine<() => void>(holdShape, (release) => release());
  try {
    const [client, peer] = await openPair(server, sockets, deadline);
    let sentUs = 0;
    let arrivedUs = 0;
    // Timed in a plain listener, as a target's own read is (awaiting a promise would add a microtask).
    peer.on('data', () => (arrivedUs = sharedNowUs()));
    const hops: number[] = [];
    for (let i = 0; i < rounds && !deadline.aborted; i += 1) {
      const arrived = once(peer, 'data', { signal: deadline });
      line.push(() => {
        sentUs = sharedNowUs();
        client.write('p');
      }, 1);
      await arrived;
      hops.push(arrivedUs - sentUs);
    }
    hops.sort((a, b) => a - b);
    const median = hops[Math.floor(hops.length / 2)];
    return median === undefined ? 0 : Math.min(Math.max(median, 0), MAX_HOP_US);
  } catch {
    return 0; // no estimate: nothing is compensated
  } finally {
    line.clear();
    for (const s of sockets) s.destroy();
    server.close();
  }
}

const postReleaseCache = new Map<number, Promise<number>>();

/**
 * What a loopback hop of this process costs right after a hold of `holdMs` beyond the same hop
 * between back-to-back messages, µs (≥ 0, at most {@link MAX_HOP_US}; measured once per process
 * and hold): the part of a held traversal's next hand-off that exists only because emulating the
 * distance left the process idle. 0 with HCBENCH_KEEP_HOT=0 (the emulation as before issue #12).
 */
export function postReleaseCostUs(holdMs: number): Promise<number> {
  if (!isKeepHotEnabled || !(holdMs > 0)) return Promise.resolve(0);
  const key = Math.min(holdMs, MAX_RELEASED_HOLD_MS);
  let cost = postReleaseCache.get(key);
  if (cost === undefined) {
    cost = (async () => {
      const hotUs = await inProcessHopUs();
      const releasedUs = await measureReleasedHopUs(key);
      return hotUs > 0 && releasedUs > 0 ? Math.max(0, releasedUs - hotUs) : 0;
    })();
    postReleaseCache.set(key, cost);
  }
  return cost;
}
