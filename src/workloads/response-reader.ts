// Waits for exactly N response bytes on a socket at a time (closed loop: one outstanding
// request per connection), timestamping the first and last byte with the injected clock.
// It classifies failures (timeout, reset, premature close, too many bytes) but never records,
// retries or reconnects: the driver decides what a failure means.

import type net from 'node:net';
import type { ErrorKind } from '../metrics/result.js';
import type { Clock } from './types.js';
import { classifySocketError } from './socket-errors.js';

/** Result of one `expect`. `bytes` is what arrived during it (also on failure). */
export type ReadOutcome =
  | { ok: true; firstByteNs: bigint; endNs: bigint; bytes: number }
  | { ok: false; kind: ErrorKind; bytes: number };

/** Reads responses from one socket. Attach right after connecting; `dispose()` before destroying. */
export class ResponseReader {
  /** The pending expect's callback (undefined: none) and its progress; fields, not an object per response. */
  private onOutcome: ((outcome: ReadOutcome) => void) | undefined;
  private needBytes = 0;
  private receivedBytes = 0;
  private firstByteNs = 0n;
  /** First failure seen; the connection is unusable afterwards. */
  private failure: ErrorKind | undefined;
  private strayBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `timeoutMs`: longest wait for the complete response of one `expect`, in milliseconds. */
  constructor(
    private readonly socket: net.Socket,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('end', this.onClosed);
    socket.on('close', this.onClosed);
  }

  /** Resolves (never rejects) once exactly `bytes` (>= 1) have arrived, or on the first failure. */
  expect(bytes: number): Promise<ReadOutcome> {
    return new Promise((resolve) => this.expectThen(bytes, resolve));
  }

  /**
   * Like `expect`, but calls `onOutcome` once instead of resolving a promise (the generator's hot
   * path allocates nothing per response but the outcome). It is called from the socket's events
   * or from `dispose()`, never from within `expectThen` itself.
   */
  expectThen(bytes: number, onOutcome: (outcome: ReadOutcome) => void): void {
    if (this.failure !== undefined) {
      const outcome: ReadOutcome = { ok: false, kind: this.failure, bytes: this.strayBytes };
      this.strayBytes = 0;
      queueMicrotask(() => onOutcome(outcome));
      return;
    }
    this.onOutcome = onOutcome;
    this.needBytes = bytes;
    this.receivedBytes = 0;
    this.firstByteNs = 0n;
    // One timer per connection, re-armed per response: cheaper than a new timer per round trip.
    if (this.timer === undefined) {
      this.timer = setTimeout(this.onTimeout, this.timeoutMs);
      this.timer.unref();
    } else {
      this.timer.refresh();
    }
  }

  /** Stops listening and cancels the timer; a pending `expect` resolves as 'closed'. */
  dispose(): void {
    this.fail('closed');
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onClosed);
    this.socket.off('close', this.onClosed);
    // Keep the error listener: a late reset on a socket being destroyed must not crash the process.
  }

  private readonly onData = (chunk: Buffer): void => {
    const now = this.clock.nowNs();
    const onOutcome = this.onOutcome;
    if (onOutcome === undefined) {
      // Bytes nobody asked for: the peer does not speak the protocol we expect.
      this.strayBytes += chunk.length;
      this.fail('mismatch');
      return;
    }
    if (this.receivedBytes === 0) this.firstByteNs = now;
    this.receivedBytes += chunk.length;
    if (this.receivedBytes === this.needBytes) {
      this.onOutcome = undefined;
      onOutcome({ ok: true, firstByteNs: this.firstByteNs, endNs: now, bytes: this.receivedBytes });
    } else if (this.receivedBytes > this.needBytes) {
      this.fail('mismatch');
    }
  };

  private readonly onError = (error: unknown): void => this.fail(classifySocketError(error));

  private readonly onClosed = (): void => this.fail('closed');

  private readonly onTimeout = (): void => {
    if (this.onOutcome !== undefined) this.fail('timeout');
  };

  private fail(kind: ErrorKind): void {
    if (this.failure === undefined) this.failure = kind;
    const onOutcome = this.onOutcome;
    if (onOutcome === undefined) return;
    this.onOutcome = undefined;
    onOutcome({ ok: false, kind: this.failure, bytes: this.receivedBytes });
  }
}
