// What one loopback TCP hop costs inside a process that is awake, measured by a ping-pong between
// two sockets of this process. The direct path's delay proxy (delay-proxy.ts) sits between the
// driver and the target, so every delayed traversal pays one loopback hop more than the same path
// at zero distance (driver → proxy → target instead of driver → target). Releasing each traversal
// that much early adds the configured distance to the zero-distance path, not to a longer one
// (issue #12: the direct path read +120–200 µs over configured RTT + its loopback p50).

import net from 'node:net';
import { once } from 'node:events';
import { keepHot, MAX_WINDOW_US } from './keep-hot.js';
import { sharedNowUs } from './shared-clock.js';

/** Ping-pong rounds; the fastest half round trip is the estimate (as the relay's hand-off probes). */
export const HOP_PROBE_ROUNDS = 64;
/** An estimate is never above this, µs (a slow probe on a busy machine must not release data early by much). */
export const MAX_HOP_US = 100;

/** Fastest half round trip over a loopback socket pair of this process, µs; 0 when it could not be measured. */
export async function measureInProcessHopUs(rounds: number = HOP_PROBE_ROUNDS, deadlineMs = 2000): Promise<number> {
  const server = net.createServer({ noDelay: true });
  const sockets: net.Socket[] = [];
  const deadline = AbortSignal.timeout(deadlineMs);
  try {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening', { signal: deadline });
    const { port } = server.address() as net.AddressInfo;
    const accepted = once(server, 'connection', { signal: deadline });
    const client = net.connect({ host: '127.0.0.1', port, noDelay: true });
    sockets.push(client);
    const [peer] = (await accepted) as [net.Socket];
    sockets.push(peer);
    peer.setNoDelay(true);
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
