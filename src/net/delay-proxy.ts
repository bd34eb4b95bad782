// The direct path's network-distance shim: a TCP proxy that delays each direction through a
// DelayLine, so "VNet integration over a 5 ms link" can be compared fairly with a relay whose
// legs are delayed the same way. Keeps FIN/RST semantics and bounds memory with backpressure.

import net from 'node:net';
import { once } from 'node:events';
import { createDelayLine, createDueTimes, isNoopLink, sampleTraversalsMs, type LinkShape } from './delay-line.js';
import { inProcessHopUs, postReleaseCostUs } from './in-process-hop.js';
import { sharedNowUs } from './shared-clock.js';
import { createLatenessRecorder, type LatenessRecorder } from './lateness.js';
import type { HistogramRecord } from '../metrics/result.js';

/** Above this many queued bytes in one direction the source socket is paused. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

export interface DelayProxyOptions {
  target: { host: string; port: number };
  /** Applied to client → target data. */
  toTarget?: LinkShape;
  /** Applied to target → client data. */
  toClient?: LinkShape;
  /**
   * Round trips of the toTarget leg a new connection pays before the target sees it (1: TCP's
   * handshake; 0 or absent: none, the target is connected at once). The proxy connects to the
   * target only (2 × handshakeRoundTrips + 1) one-way delays of `toTarget` after accepting the
   * client (each traversal sampled with the leg's jitter), and holds the client's data until then,
   * which is right for client-first and server-first protocols alike. The client's own connect
   * still completes on loopback.
   */
  handshakeRoundTrips?: number;
  host?: string;
  port?: number;
}

export interface DelayProxyStats {
  connectionsAccepted: number;
  connectionsActive: number;
  bytesToTarget: number;
  bytesToClient: number;
  /**
   * How much earlier than arrival + delay each traversal is released, µs: the loopback hop this proxy
   * adds over the zero-distance path (net/in-process-hop.ts); 0 when it could not be measured.
   */
  hopCompensationUs: number;
  /**
   * How much earlier still the client → target direction is released, µs: that hop is taken right
   * after a hold, and costs this much more than a hot one (net/in-process-hop.ts postReleaseCostUs).
   */
  postReleaseCompensationUs: number;
  /** How late the delay lines released data after its due time, µs per traversal (absent before any). */
  releaseLateness?: HistogramRecord;
}

export interface DelayProxy {
  address: { host: string; port: number };
  stats(): DelayProxyStats;
  close(): Promise<void>;
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const isDelayed = !isNoopLink(options.toTarget) || !isNoopLink(options.toClient);
  const hopCompensationUs = isDelayed ? await inProcessHopUs() : 0;
  // Towards the target the extra hop follows a release (the target reads cold data); towards the
  // client it follows the target's write, which the proxy reads hot.
  const postReleaseCompensationUs = isNoopLink(options.toTarget) ? 0 : await postReleaseCostUs(options.toTarget?.oneWayDelayMs ?? 0);
  const stats: DelayProxyStats = { connectionsAccepted: 0, connectionsActive: 0, bytesToTarget: 0, bytesToClient: 0, hopCompensationUs, postReleaseCompensationUs };
  const lateness = createLatenessRecorder();
  // Over a no-op leg the handshake costs nothing either, so the target is connected at once.
  const handshakeRoundTrips = isNoopLink(options.toTarget) ? 0 : Math.max(0, options.handshakeRoundTrips ?? 0);

  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    stats.connectionsAccepted += 1;
    stats.connectionsActive += 1;
    const target = { host: options.target.host, port: options.target.port };
    // With a handshake the upstream is connected by the toTarget line itself, ahead of the client's
    // data (the line never reorders); a connecting socket buffers what is written to it meanwhile.
    const upstream = handshakeRoundTrips > 0 ? new net.Socket({ allowHalfOpen: true }) : net.connect({ ...target, noDelay: true, allowHalfOpen: true });
    const opening =
      handshakeRoundTrips > 0
        ? {
            // TCP's round trips, then the final ACK's one-way crossing: the server's side of the handshake.
            dueUs: sharedNowUs() + sampleTraversalsMs(options.toTarget, 2 * handshakeRoundTrips + 1) * 1000,
            open: () => {
              // connect() would bring a socket torn down meanwhile back to life, and nothing would close it.
              if (!upstream.destroyed) upstream.connect(target).setNoDelay(true);
            },
          }
        : undefined;
    sockets.add(client);
    sockets.add(upstream);
    const toTarget = pipeDelayed(client, upstream, options.toTarget, (n) => (stats.bytesToTarget += n), lateness, hopCompensationUs + postReleaseCompensationUs, opening);
    const toClient = pipeDelayed(upstream, client, options.toClient, (n) => (stats.bytesToClient += n), lateness, hopCompensationUs);
    let isClosed = false;
    const teardown = (error?: Error): void => {
      if (isClosed) return;
      isClosed = true;
      stats.connectionsActive -= 1;
      toTarget.clear();
      toClient.clear();
      // A reset on one side becomes a reset on the other; a clean close was already forwarded as FIN.
      if (error !== undefined) {
        client.resetAndDestroy();
        // A socket never connected has nothing to reset (resetAndDestroy would fail it with an error).
        if (upstream.pending && !upstream.connecting) upstream.destroy();
        else upstream.resetAndDestroy();
      }
    };
    for (const socket of [client, upstream]) {
      socket.on('error', (error) => teardown(error));
      socket.on('close', () => {
        sockets.delete(socket);
        if (client.destroyed && upstream.destroyed) teardown();
      });
    }
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as net.AddressInfo;
  return {
    address: { host: address.address, port: address.port },
    stats: () => {
      const releaseLateness = lateness.snapshot();
      return { ...stats, ...(releaseLateness === undefined ? {} : { releaseLateness }) };
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Pipes `from` into `to` through a delay line; FIN is delivered after the data before it. Each chunk
 * is due `earlyUs` before arrival + delay: the extra loopback hop this proxy puts on the path. An
 * `opening` (only over a delaying link) is released first, at its own due time (an emulated handshake
 * has no proxy hop to compensate: the real connect follows it), and everything else after it.
 */
function pipeDelayed(
  from: net.Socket,
  to: net.Socket,
  shape: LinkShape | undefined,
  count: (bytes: number) => void,
  lateness: LatenessRecorder,
  earlyUs: number,
  opening?: { dueUs: number; open: () => void },
) {
  const END = Symbol('end');
  const OPEN = Symbol('open');
  const write = (item: Buffer | typeof END): void => {
    if (to.destroyed) return;
    if (item === END) {
      to.end();
      return;
    }
    count(item.length);
    if (!to.write(item)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  };
  if (isNoopLink(shape)) {
    from.on('data', (chunk: Buffer) => write(chunk));
    from.on('end', () => write(END));
    return { clear: () => {} };
  }
  const line = createDelayLine<Buffer | typeof END | typeof OPEN>({ ...shape, keepHot: true, onLateness: (us) => lateness.record(us) }, (item) => {
    if (item === OPEN) {
      opening?.open();
      return;
    }
    write(item);
    if (line.queuedBytes < HIGH_WATER_BYTES / 2 && from.isPaused() && to.writableLength === 0) from.resume();
  });
  const dueTimes = createDueTimes(shape ?? {});
  if (opening !== undefined) line.pushDue(OPEN, 0, opening.dueUs);
  from.on('data', (chunk: Buffer) => {
    line.pushDue(chunk, chunk.length, dueTimes.next(chunk.length, sharedNowUs() - earlyUs));
    if (line.queuedBytes > HIGH_WATER_BYTES) from.pause();
  });
  from.on('end', () => line.pushDue(END, 0, dueTimes.next(0, sharedNowUs() - earlyUs)));
  return { clear: () => line.clear() };
}
