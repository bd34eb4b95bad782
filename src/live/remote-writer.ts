// Sends batches of samples to a Prometheus remote-write receiver, one request at a time, without
// ever holding up the run: `push` only queues (a bounded queue; when it is full the oldest batch is
// dropped and counted), every request has a deadline, failures are retried with backoff a bounded
// number of times and then dropped and counted, and `close` waits for the queue at most until its
// deadline. Every sample is either sent (a 2xx answer) or counted in `samplesDropped`.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RemoteWriteRecord } from '../metrics/result.js';
import { REMOTE_WRITE_HEADERS, writeRequestBody, type SeriesSample } from './write-request.js';

/** What the writer did, for the end of the run (console and result). */
export type RemoteWriteStats = Omit<RemoteWriteRecord, 'runId'>;

export interface RemoteWriterOptions {
  url: string;
  /** Batches waiting to be sent at most (one batch per interval); default 120. */
  maxQueuedBatches?: number;
  /** Deadline of one request, ms; default 2000. */
  requestTimeoutMs?: number;
  /** Attempts per batch before it is dropped; default 3. */
  maxAttempts?: number;
  /** First retry delay, ms, doubled per retry; default 200. */
  backoffMs?: number;
}

type PostOutcome = { ok: true } | { ok: false; error: string; isRetryable: boolean };

/** The error of a request cut off by `close`. */
const ABANDONED = 'abandoned at the end of the run';

/** Longest part of an error answer kept for the message, bytes. */
const ERROR_BODY_BYTES = 200;

/** A remote-write client that queues, retries, drops and counts; see the file comment. */
export class RemoteWriter {
  private readonly queue: SeriesSample[][] = [];
  private readonly stopper = new AbortController();
  private readonly stats: RemoteWriteStats;
  private pumping: Promise<void> | undefined;
  private isClosed = false;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: RemoteWriterOptions) {
    this.stats = { url: redactUrl(options.url), samplesSent: 0, samplesDropped: 0, requests: 0, failedRequests: 0 };
    this.maxQueued = options.maxQueuedBatches ?? 120;
    this.timeoutMs = options.requestTimeoutMs ?? 2000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? 200;
  }

  /** Queues one batch; never waits. After `close` the batch is counted as dropped. */
  push(batch: SeriesSample[]): void {
    if (batch.length === 0) return;
    if (this.isClosed) {
      this.stats.samplesDropped += batch.length;
      return;
    }
    this.queue.push(batch);
    while (this.queue.length > this.maxQueued) this.stats.samplesDropped += this.queue.shift()?.length ?? 0;
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  /**
   * Sends what is queued for at most `deadlineMs`, then abandons the rest (counted as dropped)
   * and returns the totals. Later pushes are dropped.
   */
  async close(deadlineMs: number): Promise<RemoteWriteStats> {
    this.isClosed = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([this.pumping ?? Promise.resolve(), deadline]);
    clearTimeout(timer);
    this.stopper.abort();
    await this.pumping;
    for (const batch of this.queue.splice(0)) this.stats.samplesDropped += batch.length;
    return { ...this.stats };
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.stopper.signal.aborted) {
      const batch = this.queue[0]!;
      let body: Uint8Array | undefined;
      try {
        body = writeRequestBody(batch);
      } catch (error) {
        // Cannot happen with the series hcbench builds; if it does, the batch is lost, counted, and the run goes on.
        this.stats.lastError = `cannot encode: ${error instanceof Error ? error.message : String(error)}`;
      }
      const isSent = body !== undefined && (await this.sendWithRetries(body));
      // The batch may have been dropped from the queue meanwhile (queue full): count it once.
      if (this.queue[0] === batch) {
        this.queue.shift();
        if (isSent) this.stats.samplesSent += batch.length;
        else this.stats.samplesDropped += batch.length;
      } else if (isSent) {
        this.stats.samplesSent += batch.length;
        this.stats.samplesDropped -= batch.length;
      }
    }
  }

  private async sendWithRetries(body: Uint8Array): Promise<boolean> {
    for (let attempt = 1; attempt <= this.maxAttempts && !this.stopper.signal.aborted; attempt++) {
      this.stats.requests += 1;
      const outcome = await this.post(body);
      if (outcome.ok) return true;
      this.stats.failedRequests += 1;
      // An abandoned request says nothing about the receiver: keep the failure that made it wait.
      if (outcome.error !== ABANDONED || this.stats.lastError === undefined) this.stats.lastError = outcome.error;
      if (!outcome.isRetryable || attempt === this.maxAttempts) return false;
      await this.wait(this.backoffMs * 2 ** (attempt - 1));
    }
    return false;
  }

  private wait(ms: number): Promise<void> {
    const stop = this.stopper.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      }
      stop.addEventListener('abort', done, { once: true });
    });
  }

  /** One POST, bounded by the request deadline and by `close`. */
  private post(body: Uint8Array): Promise<PostOutcome> {
    // One controller per request, aborted by its deadline or by close; both released when it settles.
    const controller = new AbortController();
    const signal = controller.signal;
    const abort = () => controller.abort();
    const timer = setTimeout(abort, this.timeoutMs);
    this.stopper.signal.addEventListener('abort', abort, { once: true });
    const url = new URL(this.options.url);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostOutcome>((resolve) => {
      const req = request(url, { method: 'POST', headers: { ...REMOTE_WRITE_HEADERS, 'Content-Length': String(body.byteLength), 'User-Agent': 'hcbench' }, signal }, (res) => {
        const status = res.statusCode ?? 0;
        let text = '';
        res.on('data', (chunk: Buffer) => {
          if (text.length < ERROR_BODY_BYTES) text += chunk.toString('utf8', 0, ERROR_BODY_BYTES - text.length);
        });
        const cutShort = () => resolve({ ok: false, error: `HTTP ${status}: answer cut short`, isRetryable: true });
        res.on('error', cutShort);
        // After 'end' the promise is settled and this changes nothing; before it, the answer was cut.
        res.on('close', cutShort);
        res.on('end', () => {
          if (status >= 200 && status < 300) resolve({ ok: true });
          // 4xx means the receiver refuses this data; sending it again would be refused again.
          else resolve({ ok: false, error: `HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim().slice(0, ERROR_BODY_BYTES)}`}`, isRetryable: status >= 500 || status === 429 });
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const reason = this.stopper.signal.aborted
          ? ABANDONED
          : signal.aborted
            ? `no answer within ${this.timeoutMs} ms`
            : (error.code ?? error.message);
        resolve({ ok: false, error: reason, isRetryable: true });
      });
      req.end(body);
    }).finally(() => {
      clearTimeout(timer);
      this.stopper.signal.removeEventListener('abort', abort);
    });
  }
}

/** `url` without user info, query and fragment, for messages and results. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
