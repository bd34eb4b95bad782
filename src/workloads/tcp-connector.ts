// Opens, tracks and closes a driver's TCP connections: connect with timeout and retry policy,
// recording connect time, connections opened/failed/peak, retries and connect errors. It never
// writes application data; drivers do that over `connection.socket` and `connection.reader`.

import type net from 'node:net';
import type { Phase, StepRecorder } from '../metrics/recorder.js';
import type { Clock, DialAddress, RetryPolicy } from './types.js';
import { dialTcp } from './tcp-dial.js';
import { ResponseReader } from './response-reader.js';
import { pause } from './run-window.js';

/** One open connection. Times are clock ns. */
export interface TcpConnection {
  socket: net.Socket;
  reader: ResponseReader;
  /** Start of the successful connect attempt (for time to first byte). */
  connectStartNs: bigint;
  /** False until the first response completed on this connection. */
  hasResponded: boolean;
}

export interface ConnectorOptions {
  address: DialAddress;
  clock: Clock;
  recorder: StepRecorder;
  /** Aborting destroys every live connection and fails pending connects. */
  stop: AbortSignal;
  connectTimeoutMs: number;
  /** Per-response timeout of each connection's reader, ms. */
  responseTimeoutMs: number;
  retry?: RetryPolicy | undefined;
}

/** Longest graceful close wait before a connection is destroyed, ms. */
const CLOSE_TIMEOUT_MS = 5000;

export class TcpConnector {
  private readonly live = new Set<TcpConnection>();
  /** Connect attempts that failed with EADDRNOTAVAIL (local ephemeral ports exhausted). */
  addressNotAvailable = 0;

  constructor(private readonly o: ConnectorOptions) {
    o.stop.addEventListener('abort', () => this.destroyAll(), { once: true });
  }

  /** Connects (with retries); undefined after the final failure, which is counted once in `errors`. */
  async open(phase: Phase): Promise<TcpConnection | undefined> {
    const { clock, recorder, stop, retry } = this.o;
    const attempts = 1 + Math.max(0, Math.min(retry?.attempts ?? 0, 10));
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const dialed = await dialTcp(this.o.address, this.o.connectTimeoutMs, clock, stop);
      if (stop.aborted) {
        if (dialed.ok) dialed.socket.destroy();
        return undefined;
      }
      if (dialed.ok) {
        recorder.countConnectionOpened(phase);
        recorder.recordNs(phase, 'connect', dialed.endNs - dialed.startNs);
        const connection: TcpConnection = {
          socket: dialed.socket,
          reader: new ResponseReader(dialed.socket, clock, this.o.responseTimeoutMs),
          connectStartNs: dialed.startNs,
          hasResponded: false,
        };
        this.live.add(connection);
        return connection;
      }
      if (dialed.code === 'EADDRNOTAVAIL') this.addressNotAvailable += 1;
      if (attempt === attempts) {
        recorder.countError(phase, dialed.kind);
        recorder.add(phase, 'connectionsFailed');
        return undefined;
      }
      // Retried attempts are visible on their own, never in errors or latencies.
      recorder.countRetry(phase, dialed.kind);
      await pause((retry?.backoffMs ?? 10) * 2 ** (attempt - 1), stop);
    }
    return undefined;
  }

  /** Destroys a connection at once (after a failure, or at the end of a run). */
  destroy(connection: TcpConnection): void {
    if (!this.live.delete(connection)) return;
    this.o.recorder.countConnectionGone();
    connection.reader.dispose();
    connection.socket.destroy();
  }

  /**
   * Closes gracefully: half-closes our side and waits until the socket is fully closed (peer's
   * FIN), recording the 'close' time; true when it closed cleanly within 5 s.
   */
  async close(connection: TcpConnection, phase: Phase): Promise<boolean> {
    if (!this.live.has(connection)) return false;
    const { socket } = connection;
    if (socket.destroyed) {
      this.destroy(connection);
      return false;
    }
    connection.reader.dispose();
    const startNs = this.o.clock.nowNs();
    const closed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
      socket.once('close', (hadError: boolean) => {
        clearTimeout(timer);
        resolve(!hadError);
      });
      // Drain whatever the peer still sends so its FIN is seen.
      socket.resume();
      socket.end();
    });
    const isClean = await closed;
    if (isClean) {
      this.o.recorder.recordNs(phase, 'close', this.o.clock.nowNs() - startNs);
      this.o.recorder.add(phase, 'connectionsClosed');
    }
    this.destroy(connection);
    return isClean;
  }

  destroyAll(): void {
    for (const connection of [...this.live]) this.destroy(connection);
  }
}
