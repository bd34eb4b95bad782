// Driver of the chatty request/response workload: transactions of k sequential round trips
// against the built-in target's protocol (request header says how many bytes to answer), over
// persistent (pooled) or per-transaction connections, under the closed or open load model.
// It dials only the address it is given and never knows which path it is on. Failures of the
// system under test are counted by kind; this file never throws for them.

import { hotUntilReply } from './hot-reply.js';
import { StepRecorder, type OptionalLatencyMetric } from '../metrics/recorder.js';
import type { ErrorKind } from '../metrics/result.js';
import { encodeRequest, REQUEST_HEADER_BYTES } from '../protocol/request-response.js';
import { WorkloadError } from '../errors.js';
import { runLoad, type Dispatch, type ExecuteResult } from './load-loop.js';
import { createRandom } from '../random.js';
import { createSizeSampler } from './random-draws.js';
import { createRunWindow, createStopper, measuredDurationMs, pause } from './run-window.js';
import { TcpConnector, type TcpConnection } from './tcp-connector.js';
import { createDirectRunner, type ReadFail, type ReadOk } from './request-response-direct.js';
import type { TcpRequestResponseParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';
import { describeTiming } from './timing.js';

/** Default per-response timeout (and end-of-window grace), milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default TCP connect timeout, milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** Outcome of one attempt; `kind` undefined when the failure was already counted (connect). */
type AttemptFailure = { ok: false; kind: ErrorKind | undefined; isRefusal: boolean };
type AttemptResult = { ok: true; endNs: bigint } | AttemptFailure;

/** The tcp-request-response workload. */
export const tcpRequestResponse: Workload<TcpRequestResponseParams> = {
  kind: 'tcp-request-response',
  run: async (options) => (await runRequestResponse(options, options.params)).outcome,
};

/** What a request/response run produced, plus facts other drivers built on it report on. */
export interface RequestResponseRun {
  outcome: WorkloadOutcome;
  /** Connect attempts that failed with EADDRNOTAVAIL (local ephemeral ports exhausted). */
  addressNotAvailable: number;
}

/** Runs transactions of `params` (the options' own params are ignored); shared with connection-churn. */
export async function runRequestResponse(
  options: Omit<WorkloadRunOptions, 'params'>,
  params: TcpRequestResponseParams,
): Promise<RequestResponseRun> {
  const { clock, signal } = options;
  checkParams(params);
  const load = params.load ?? { model: 'closed' };
  const isPersistent = (params.connectionMode ?? 'persistent') === 'persistent';
  const optional: OptionalLatencyMetric[] = ['firstByte'];
  if (load.model === 'open') optional.push('responseTime', 'serviceTime', 'dispatchLag', 'poolWait');
  const recorder = new StepRecorder(optional);
  recorder.setIntervalListener(options.onInterval);
  recorder.setOutcomeListener(options.onOutcome);
  const stopper = createStopper(signal);
  const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const connector = new TcpConnector({
    address: options.dialAddress,
    clock,
    recorder,
    stop: stopper.signal,
    connectTimeoutMs: params.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    responseTimeoutMs: timeoutMs,
    retry: params.retry,
  });
  const random = createRandom(params.seed ?? 1);
  const requestSize = createSizeSampler(params.requestBytes, params.requestBytesDistribution, random, REQUEST_HEADER_BYTES);
  const responseSize = createSizeSampler(params.responseBytes, params.responseBytesDistribution, random, 1);
  const fixedRequest =
    params.requestBytesDistribution === undefined && params.responseBytesDistribution === undefined
      ? encodeRequest(params.requestBytes, params.responseBytes)
      : undefined;
  const slots: (TcpConnection | undefined)[] = [];

  try {
    // Persistent connections are opened before the window and belong to the step (measured
    // counters, connect histogram), so a run reports its setup cost even with a warm-up.
    if (isPersistent) {
      const opened = await Promise.all(Array.from({ length: params.connections }, () => connector.open('measured')));
      slots.push(...opened);
    }
    const window = createRunWindow(clock, options.warmupMs, options.durationMs, options.windowStartNs);
    recorder.startIntervals(window.warmupEndNs);
    // Hard deadline on the real timer: nothing outlives the window plus one timeout of grace.
    stopper.armDeadline(options.warmupMs + options.durationMs + timeoutMs + (params.thinkTimeMs ?? 0) * params.roundTripsPerTransaction + 1000);

    const retryAttempts = Math.max(0, Math.min(params.retry?.attempts ?? 0, 10));
    const backoffMs = (tries: number): number => (params.retry?.backoffMs ?? 10) * 2 ** tries;
    /** Records one completed round trip that started at `startNs` (and the connection's first response). */
    const recordRoundTrip = (d: Dispatch, connection: TcpConnection, outcome: ReadOk, startNs: bigint): void => {
      if (!connection.hasResponded) {
        connection.hasResponded = true;
        recorder.recordNs(d.phase, 'firstByte', outcome.firstByteNs - connection.connectStartNs);
      }
      recorder.countRoundTrip(d.phase);
      recorder.recordNs(d.phase, 'roundTrip', outcome.endNs - startNs, outcome.endNs);
    };
    /** A failed read drops the connection; counts nothing. */
    const failedRead = (d: Dispatch, connection: TcpConnection, outcome: ReadFail): AttemptFailure => {
      // A new connection that closes or resets before any byte is how a relay refusal (no
      // listener, auth, rendezvous failure) looks from the app side: retryable.
      const isRefusal = !connection.hasResponded && outcome.bytes === 0 && (outcome.kind === 'closed' || outcome.kind === 'reset');
      connector.destroy(connection);
      slots[d.slot] = undefined;
      return { ok: false, kind: outcome.kind, isRefusal };
    };
    /** One try of the transaction on the slot's connection (opened if needed); counts nothing on failure. */
    const attempt = async (d: Dispatch): Promise<AttemptResult> => {
      let connection = slots[d.slot];
      if (connection === undefined) {
        connection = await connector.open(d.phase);
        // The connector counted the connect failure (after its own retries).
        if (connection === undefined) return { ok: false, kind: undefined, isRefusal: false };
        slots[d.slot] = connection;
      }
      let transactionStartNs = 0n;
      let endNs = 0n;
      for (let k = 0; k < params.roundTripsPerTransaction; k++) {
        if (k > 0 && (params.thinkTimeMs ?? 0) > 0) await pause(params.thinkTimeMs ?? 0, stopper.signal);
        const responseBytes = fixedRequest === undefined ? responseSize() : params.responseBytes;
        const request = fixedRequest ?? encodeRequest(requestSize(), responseBytes);
        const startNs = clock.nowNs();
        if (k === 0) transactionStartNs = startNs;
        const response = connection.reader.expect(responseBytes);
        const hot = hotUntilReply(options.expectedRoundTripUs);
        connection.socket.write(request);
        recorder.addBytesSent(d.phase, request.length);
        const outcome = await response;
        hot?.end();
        recorder.addBytesReceived(d.phase, outcome.bytes);
        if (!outcome.ok) return failedRead(d, connection, outcome);
        recordRoundTrip(d, connection, outcome, startNs);
        endNs = outcome.endNs;
      }
      recorder.countTransaction(d.phase);
      recorder.recordNs(d.phase, 'transaction', endNs - transactionStartNs);
      if (!isPersistent) {
        slots[d.slot] = undefined;
        await connector.close(connection, d.phase);
      }
      return { ok: true, endNs };
    };

    /** After failed try number `tries` (0-based): the counted final result, or undefined to retry (counted as a retry). */
    const afterFailure = (d: Dispatch, result: AttemptFailure, tries: number): ExecuteResult | undefined => {
      // Failures after a stop (abort, hard deadline) are our own doing, not the target's: counted
      // apart, so sent = transactions + errors + stoppedInFlight.
      if (stopper.signal.aborted) {
        recorder.add(d.phase, 'stoppedInFlight');
        return { ok: false };
      }
      if (result.kind === undefined) return { ok: false };
      if (result.isRefusal && tries < retryAttempts) {
        // Retried attempts are visible on their own, never in errors; the successful attempt's
        // round trips and transaction time start afresh.
        recorder.countRetry(d.phase, result.kind);
        return undefined;
      }
      recorder.countError(d.phase, result.kind);
      return { ok: false };
    };

    const execute = async (d: Dispatch, firstTry = 0): Promise<ExecuteResult> => {
      for (let tries = firstTry; tries <= retryAttempts; tries++) {
        const result = await attempt(d);
        if (result.ok) return result;
        const final = afterFailure(d, result, tries);
        if (final !== undefined) return final;
        await pause(backoffMs(tries), stopper.signal);
      }
      return { ok: false };
    };
    /** The async path for what the direct runner does not do, settling through `done`. */
    const executeThen = (d: Dispatch, firstTry: number, done: (result: ExecuteResult) => void): void => {
      execute(d, firstTry).then(done, () => {
        recorder.countError(d.phase, 'other');
        done({ ok: false });
      });
    };
    // Fixed sizes on persistent connections without think time: the open model's transactions
    // run as callbacks (request-response-direct.ts); a failure continues on the async path.
    const direct =
      fixedRequest !== undefined && isPersistent && (params.thinkTimeMs ?? 0) === 0 && load.model === 'open'
        ? createDirectRunner({
            clock,
            recorder,
            request: fixedRequest,
            responseBytes: params.responseBytes,
            roundTrips: params.roundTripsPerTransaction,
            expectedRoundTripUs: options.expectedRoundTripUs,
            recordRoundTrip,
            onFailure: (d, connection, outcome, done) => {
              const final = afterFailure(d, failedRead(d, connection, outcome), 0);
              if (final !== undefined) done(final);
              else void pause(backoffMs(0), stopper.signal).then(() => executeThen(d, 1, done));
            },
          })
        : undefined;
    const executeNow =
      direct === undefined
        ? undefined
        : (d: Dispatch, done: (result: ExecuteResult) => void): void => {
            const connection = slots[d.slot];
            if (connection === undefined) executeThen(d, 0, done);
            else direct(d, connection, done);
          };

    await runLoad({ load, slots: params.connections, window, clock, stop: stopper.signal, recorder, execute, ...(executeNow === undefined ? {} : { executeNow }) });
    const isAborted = signal.aborted;
    const durationMs = measuredDurationMs(window, options.durationMs, isAborted, clock.nowNs());
    const metrics = recorder.snapshot({ durationMs, warmupMs: options.warmupMs });
    metrics.timing = describeTiming(load);
    return { outcome: { metrics, isAborted }, addressNotAvailable: connector.addressNotAvailable };
  } finally {
    stopper.dispose();
    connector.destroyAll();
    recorder.destroy();
  }
}

function checkParams(p: TcpRequestResponseParams): void {
  const problems: string[] = [];
  const int = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) problems.push(`\`${name}\` must be an integer >= ${min}, got ${value}`);
  };
  int('connections', p.connections, 1);
  int('roundTripsPerTransaction', p.roundTripsPerTransaction, 1);
  int('requestBytes', p.requestBytes, REQUEST_HEADER_BYTES);
  int('responseBytes', p.responseBytes, 1);
  if (p.load?.model === 'open' && !(p.load.ratePerSec >= 0)) problems.push(`\`load.ratePerSec\` must be >= 0, got ${p.load.ratePerSec}`);
  if (problems.length > 0) throw new WorkloadError(`tcp-request-response: ${problems.join('; ')}`);
}
