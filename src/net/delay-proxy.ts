// The direct path's network-distance shim: a TCP proxy that delays each direction through a
// DelayLine, so "VNet integration over a 5 ms link" can be compared fairly with a relay whose
// legs are delayed the same way. Keeps FIN/RST semantics and bounds memory with backpressure.

import net from 'node:net';
import { once } from 'node:events';
import { createDelayLine, createDueTimes, isNoopLink, type LinkShape } from './delay-line.js';
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

  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    stats.connectionsAccepted += 1;
    stats.connectionsActive += 1;
    const upstream = net.connect({ host: options.target.host, port: options.target.port, noDelay: true, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    const toTarget = pipeDelayed(client, upstream, options.toTarget, (n) => (stats.bytesToTarget += n), lateness, hopCompensationUs + postReleaseCompensationUs);
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
        upstream.resetAndDestroy();
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
 * is due `earlyUs` before arrival + delay: the extra loopback hop this proxy puts on the path.
 */
function pipeDelayed(from: net.Socket, to: net.Socket, shape: LinkShape | undefined, count: (bytes: number) => void, lateness: LatenessRecorder, earlyUs: number) {
  const END = Symbol('end');
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
  const line = createDelayLine<Buffer | typeof END>({ ...shape, keepHot: true, onLateness: (us) => lateness.record(us) }, (item) => {
    write(item);
    if (line.queuedBytes < HIGH_WATER_BYTES / 2 && from.isPaused() && to.writableLength === 0) from.resume();
  });
  const dueTimes = createDueTimes(shape ?? {});
  from.on('data', (chunk: Buffer) => {
    line.pushDue(chunk, chunk.length, dueTimes.next(chunk.length, sharedNowUs() - earlyUs));
    if (line.queuedBytes > HIGH_WATER_BYTES) from.pause();
  });
  from.on('end', () => line.pushDue(END, 0, dueTimes.next(0, sharedNowUs() - earlyUs)));
  return { clear: () => line.clear() };
}
