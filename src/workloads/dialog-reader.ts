// Buffers a socket's bytes and resolves one dialog expectation at a time, keeping leftover
// bytes for the next. Timestamps with the injected clock; never records or reconnects.

import type net from 'node:net';
import type { ErrorKind } from '../metrics/result.js';
import type { Clock } from './types.js';
import type { Matcher } from './dialog-script.js';
import { classifySocketError } from './socket-errors.js';

export type ExpectOutcome = { ok: true; endNs: bigint; bytes: number } | { ok: false; kind: ErrorKind };

interface Waiter {
  matcher: Matcher;
  resolve: (outcome: ExpectOutcome) => void;
  timer: NodeJS.Timeout;
}

export class DialogReader {
  private buffered: Buffer = Buffer.alloc(0);
  private waiter: Waiter | undefined;
  private failure: ErrorKind | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly clock: Clock,
  ) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('end', this.onClosed);
    socket.on('close', this.onClosed);
  }

  /** Resolves when the buffered bytes satisfy `matcher`, on mismatch, failure or after `timeoutMs`. */
  expect(matcher: Matcher, timeoutMs: number): Promise<ExpectOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fail('timeout'), timeoutMs);
      this.waiter = { matcher, resolve, timer };
      if (this.failure !== undefined) this.fail(this.failure);
      else this.check(this.clock.nowNs());
    });
  }

  dispose(): void {
    this.fail('closed');
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onClosed);
    this.socket.off('close', this.onClosed);
  }

  private readonly onData = (chunk: Buffer): void => {
    const now = this.clock.nowNs();
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.check(now);
  };

  private check(now: bigint): void {
    const waiter = this.waiter;
    if (waiter === undefined || this.buffered.length === 0) return;
    const result = waiter.matcher(this.buffered);
    if (result.kind === 'more') return;
    if (result.kind === 'mismatch') {
      this.fail('mismatch');
      return;
    }
    this.buffered = this.buffered.subarray(result.bytes);
    this.settle({ ok: true, endNs: now, bytes: result.bytes });
  }

  private readonly onError = (error: unknown): void => this.fail(classifySocketError(error));

  private readonly onClosed = (): void => this.fail('closed');

  private fail(kind: ErrorKind): void {
    this.failure ??= kind;
    this.settle({ ok: false, kind: this.failure });
  }

  private settle(outcome: ExpectOutcome): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    waiter.resolve(outcome);
  }
}
