// Driver of the http workload: autocannon's programmatic API drives HTTP/1.1 through the dial
// address. Its coordinated-omission correction is off and its latencies (float ms from hrtime)
// are re-recorded here in integer µs; its errors, timeouts and non-2xx responses are mapped into
// hcbench's counters, and the connections it opens are counted as they open. It is a closed
// model, also with `ratePerSec` (a cap, timed from the actual send), and says so. It never prints
// (autocannon prints only with `json`, which we never set).

import autocannon from 'autocannon';
import { StepRecorder } from '../metrics/recorder.js';
import { WorkloadError } from '../errors.js';
import { classifySocketError } from './socket-errors.js';
import { createRunWindow, createStopper, measuredDurationMs, pause, phaseAt } from './run-window.js';
import type { HttpParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';

/** Longest wait for autocannon to wind down after stop, ms. */
const STOP_GRACE_MS = 5000;

/** The http workload. One request = one transaction = one round trip. */
export const httpWorkload: Workload<HttpParams> = { kind: 'http', run: runHttp };

async function runHttp(options: WorkloadRunOptions<HttpParams>): Promise<WorkloadOutcome> {
  const p = options.params;
  checkParams(p);
  const { clock, signal, dialAddress } = options;
  const recorder = new StepRecorder();
  recorder.setIntervalListener(options.onInterval);
  recorder.setOutcomeListener(options.onOutcome);
  const stopper = createStopper(signal);
  try {
    const window = createRunWindow(clock, options.warmupMs, options.durationMs, options.windowStartNs);
    recorder.startIntervals(window.warmupEndNs);
    const totalMs = options.warmupMs + options.durationMs;
    stopper.armDeadline(totalMs + STOP_GRACE_MS + 2000);
    const url = `http://${dialAddress.host.includes(':') ? `[${dialAddress.host}]` : dialAddress.host}:${dialAddress.port}${p.path ?? '/'}`;
    let finish: () => void = () => undefined;
    let setupError: unknown;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const instance = autocannon(
      {
        url,
        connections: p.connections,
        pipelining: p.pipelining ?? 1,
        method: p.method ?? 'GET',
        ...(p.headers === undefined ? {} : { headers: p.headers }),
        ...(p.body === undefined ? {} : { body: p.body }),
        // autocannon corrects for coordinated omission only with a rate; we always turn it off
        // (it refuses the flag without a rate, where there is nothing to turn off).
        ...(p.ratePerSec === undefined ? {} : { overallRate: p.ratePerSec, ignoreCoordinatedOmission: true }),
        // We stop it ourselves at the window's end; this is only a backstop.
        duration: Math.ceil(totalMs / 1000) + 60,
        // Whole seconds only (checkParams refuses others): autocannon's timeout is in seconds.
        timeout: (p.timeoutMs ?? 10_000) / 1000,
        // autocannon acts on stop() at its next sample tick; a short tick keeps the tail short.
        sampleInt: 10,
        // Every connection autocannon opens (first and reconnects) is counted as it opens.
        setupClient: (client: unknown) => countConnects(client, () => {
          const phase = phaseAt(window, clock.nowNs());
          if (phase !== undefined) recorder.add(phase, 'connectionsOpened');
        }),
      },
      (error) => {
        if (error !== null && error !== undefined) setupError = error;
        finish();
      },
    );
    if (typeof instance.stop !== 'function') {
      await done;
      throw new WorkloadError(`http: autocannon refused the options: ${setupError instanceof Error ? setupError.message : String(setupError)}`, { cause: setupError });
    }
    let stopAt = 0n;
    // Responses between the window's end and autocannon acting on stop() (its next sample tick).
    let afterWindow = 0;
    instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => {
      const nowNs = clock.nowNs();
      const phase = phaseAt(window, nowNs);
      if (phase === undefined) {
        afterWindow += 1;
        return;
      }
      recorder.addBytesReceived(phase, resBytes);
      if (statusCode < 200 || statusCode > 299) {
        recorder.countError(phase, 'mismatch');
        return;
      }
      const durationNs = BigInt(Math.round(responseTimeMs * 1e6));
      recorder.countTransaction(phase);
      recorder.countRoundTrip(phase);
      recorder.recordNs(phase, 'roundTrip', durationNs, nowNs);
      recorder.recordNs(phase, 'transaction', durationNs);
    });
    instance.on('reqError', (error: unknown) => {
      const phase = phaseAt(window, clock.nowNs());
      if (phase === undefined || stopper.signal.aborted) return;
      const isTimeout = error instanceof Error && error.message === 'request timed out';
      recorder.countError(phase, isTimeout ? 'timeout' : classifySocketError(error));
    });
    await pause(totalMs, stopper.signal);
    stopAt = clock.nowNs();
    instance.stop();
    await Promise.race([done, pause(STOP_GRACE_MS, stopper.signal)]);
    const isAborted = signal.aborted;
    const durationMs = measuredDurationMs(window, options.durationMs, isAborted, stopAt);
    const metrics = recorder.snapshot({ durationMs, warmupMs: options.warmupMs });
    metrics.timing = p.ratePerSec === undefined
      ? { model: 'closed', latencyFrom: 'dispatch', coordinatedOmissionCorrection: 'none' }
      : { model: 'closed', latencyFrom: 'dispatch', coordinatedOmissionCorrection: 'none', rateLimitPerSec: p.ratePerSec };
    metrics.notes = [
      'http: latencies are autocannon per-request times (send to response end), re-recorded in µs; request bytes are not measured',
      `http: ${afterWindow} responses completed after the window's end and are not counted`,
      ...(p.ratePerSec === undefined
        ? []
        : [`http: closed model capped at ${p.ratePerSec}/s (autocannon overallRate, per one-second bucket), timed from the actual send: a stall delays later requests instead of showing in their latency (coordinated omission); for an open model use a TCP workload`]),
    ];
    return { metrics, isAborted };
  } finally {
    stopper.dispose();
    recorder.destroy();
  }
}

function checkParams(p: HttpParams): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.connections) || p.connections < 1) problems.push(`\`connections\` must be an integer >= 1, got ${p.connections}`);
  if (p.pipelining !== undefined && (!Number.isInteger(p.pipelining) || p.pipelining < 1)) problems.push(`\`pipelining\` must be an integer >= 1, got ${p.pipelining}`);
  if (p.ratePerSec !== undefined && !(p.ratePerSec > 0)) problems.push(`\`ratePerSec\` must be > 0, got ${p.ratePerSec}`);
  if (p.path !== undefined && !p.path.startsWith('/')) problems.push(`\`path\` must start with /, got ${p.path}`);
  if (p.timeoutMs !== undefined && (!Number.isInteger(p.timeoutMs / 1000) || p.timeoutMs < 1000)) {
    problems.push(`\`timeoutMs\` must be whole seconds >= 1000 (autocannon times requests out in seconds), got ${p.timeoutMs}`);
  }
  if (problems.length > 0) throw new WorkloadError(`http: ${problems.join('; ')}`);
}

/**
 * Calls `onConnect` each time an autocannon client's socket connects, first connect and every
 * reconnect: wraps the client's `_connect` (autocannon 9.0.0, pinned; its per-client hook
 * `setupClient` runs before the first connect).
 */
function countConnects(client: unknown, onConnect: () => void): void {
  const c = client as { _connect?: () => void; conn?: { once(event: 'connect', listener: () => void): void } };
  const original = c._connect;
  if (typeof original !== 'function') throw new WorkloadError('http: this autocannon version has no per-client connect to count connections on');
  c._connect = function (this: typeof c) {
    original.call(this);
    this.conn?.once('connect', onConnect);
  };
}
