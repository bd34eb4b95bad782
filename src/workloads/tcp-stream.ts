// Driver of the tcp-stream workload: bulk upload, download or both against the built-in target's
// stream mode, for the measured window or a byte count, with per-interval throughput and an
// optional ping-pong probe on its own connection (latency inflation under load). It dials only
// the address it is given; failures are counted by kind, never thrown.

import { once } from 'node:events';
import { StepRecorder, type Phase } from '../metrics/recorder.js';
import type { ErrorKind } from '../metrics/result.js';
import { encodeRequest, encodeStreamHeader, MAX_RESPONSE_BYTES, UNBOUNDED_BYTES } from '../protocol/request-response.js';
import { WorkloadError } from '../errors.js';
import { runLoad, type ExecuteResult } from './load-loop.js';
import { classifySocketError } from './socket-errors.js';
import { createRunWindow, createStopper, measuredDurationMs, pause, phaseAt, type RunWindow } from './run-window.js';
import { TcpConnector, type TcpConnection } from './tcp-connector.js';
import { ThroughputMeter } from './throughput-meter.js';
import type { Clock, TcpStreamParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';

/** Longest wait, after our FIN, for the target to finish and close, ms. */
const CLOSE_GRACE_MS = 5000;

/** The tcp-stream workload. Counters: transactions = streams completed, roundTrips = probe round trips. */
export const tcpStream: Workload<TcpStreamParams> = { kind: 'tcp-stream', run: runTcpStream };

async function runTcpStream(options: WorkloadRunOptions<TcpStreamParams>): Promise<WorkloadOutcome> {
  const p = options.params;
  checkParams(p);
  const { clock, signal } = options;
  const recorder = new StepRecorder(p.probe === undefined ? [] : ['responseTime', 'serviceTime', 'dispatchLag', 'poolWait']);
  recorder.setIntervalListener(options.onInterval);
  const stopper = createStopper(signal);
  const connector = new TcpConnector({ address: options.dialAddress, clock, recorder, stop: stopper.signal, connectTimeoutMs: 5000, responseTimeoutMs: 5000 });
  let meter: ThroughputMeter | undefined;
  try {
    const streams = await Promise.all(Array.from({ length: p.connections ?? 1 }, () => connector.open('measured')));
    const probeConnection = p.probe === undefined ? undefined : await connector.open('measured');
    const window = createRunWindow(clock, options.warmupMs, options.durationMs, options.windowStartNs);
    if (p.probe !== undefined) recorder.startIntervals(window.warmupEndNs);
    stopper.armDeadline(options.warmupMs + options.durationMs + CLOSE_GRACE_MS + 2000);
    meter = new ThroughputMeter(window, clock, p.intervalMs ?? 100);
    const m = meter;
    let streamsLeft = streams.length;
    const running = streams.map(async (connection) => {
      if (connection !== undefined) await runOneStream({ connection, params: p, window, clock, recorder, meter: m, stop: stopper.signal, connector });
      streamsLeft -= 1;
    });
    const isDone = (): boolean => streamsLeft === 0;
    const probing = p.probe === undefined ? Promise.resolve() : runProbe(p.probe, probeConnection, window, clock, recorder, stopper.signal, connector, isDone);
    await Promise.all([...running, probing, m.sample(stopper.signal, isDone)]);
    const isAborted = signal.aborted;
    const durationMs = isAborted ? measuredDurationMs(window, options.durationMs, true, clock.nowNs()) : m.measuredMs();
    const metrics = recorder.snapshot({ durationMs, warmupMs: options.warmupMs });
    metrics.throughput = {};
    if (p.direction !== 'download') metrics.throughput.upload = m.record('upload');
    if (p.direction !== 'upload') metrics.throughput.download = m.record('download');
    return { metrics, isAborted };
  } finally {
    stopper.dispose();
    connector.destroyAll();
    meter?.destroy();
    recorder.destroy();
  }
}

interface StreamContext {
  connection: TcpConnection;
  params: TcpStreamParams;
  window: RunWindow;
  clock: Clock;
  recorder: StepRecorder;
  meter: ThroughputMeter;
  stop: AbortSignal;
  connector: TcpConnector;
}

/** One stream connection: header, then upload and/or download until the window or byte count ends. */
async function runOneStream(s: StreamContext): Promise<void> {
  const { params, clock, recorder, meter, window, stop } = s;
  const { socket } = s.connection;
  s.connection.reader.dispose();
  const isUpload = params.direction !== 'download';
  const isDownload = params.direction !== 'upload';
  const limit = params.totalBytes ?? Number.POSITIVE_INFINITY;
  const phaseNow = (ns: bigint): Phase => phaseAt(window, ns) ?? 'measured';
  let failure: ErrorKind | undefined;
  let downloaded = 0;
  let sawEnd = false;
  const closed = once(socket, 'close').catch(() => undefined);
  socket.on('error', (error: unknown) => (failure ??= classifySocketError(error)));
  socket.on('end', () => (sawEnd = true));
  let onReached: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (onReached = resolve));
  if (isDownload) {
    socket.on('data', (chunk: Buffer) => {
      const now = clock.nowNs();
      recorder.addBytesReceived(phaseNow(now), chunk.length);
      meter.add('download', chunk.length, now);
      downloaded += chunk.length;
      if (downloaded >= limit) onReached();
    });
  }
  if (!isUpload) socket.resume();

  const downloadBytes = !isDownload ? 0 : limit <= MAX_RESPONSE_BYTES ? limit : UNBOUNDED_BYTES;
  const header = encodeStreamHeader(isUpload, downloadBytes);
  socket.write(header);
  recorder.addBytesSent(phaseNow(clock.nowNs()), header.length);

  if (isUpload) {
    // One stop listener per stream, not one per blocked write.
    const stopped = new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
    const chunk = Buffer.alloc(params.chunkBytes ?? 65_536);
    let uploaded = 0;
    for (let i = 0; i < 1e9 && uploaded < limit && failure === undefined && !socket.destroyed && !stop.aborted; i++) {
      if (clock.nowNs() >= window.endNs) break;
      const n = Math.min(chunk.length, limit - uploaded);
      const writeNs = clock.nowNs();
      const isFlowing = socket.write(n === chunk.length ? chunk : chunk.subarray(0, n), () => meter.add('upload', n, clock.nowNs()));
      recorder.addBytesSent(phaseNow(writeNs), n);
      uploaded += n;
      if (!isFlowing) await Promise.race([once(socket, 'drain').catch(() => undefined), closed, stopped]);
    }
  }
  if (isDownload) {
    // Until the byte count is reached, the target goes away, the window ends, or a stop.
    const windowEnd = new AbortController();
    const onStop = (): void => windowEnd.abort();
    stop.addEventListener('abort', onStop, { once: true });
    await Promise.race([reached, closed, pause(Number(window.endNs - clock.nowNs()) / 1e6, windowEnd.signal)]);
    windowEnd.abort();
    stop.removeEventListener('abort', onStop);
  }
  // FIN: the target stops streaming, flushes and closes; we read whatever is still in flight.
  if (!socket.destroyed) socket.end();
  const isClosed = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_GRACE_MS).unref())]);
  const phase = phaseNow(clock.nowNs());
  if (stop.aborted) return;
  if (failure !== undefined) recorder.countError(phase, failure);
  else if (!isClosed || (isDownload && !sawEnd)) recorder.countError(phase, isClosed ? 'closed' : 'timeout');
  else recorder.countTransaction(phase);
  s.connector.destroy(s.connection);
}

/** Ping-pong probe at a constant rate on its own connection; records round trips (and open-model timings). */
async function runProbe(
  probe: NonNullable<TcpStreamParams['probe']>,
  connection: TcpConnection | undefined,
  window: RunWindow,
  clock: Clock,
  recorder: StepRecorder,
  stop: AbortSignal,
  connector: TcpConnector,
  isDone: () => boolean,
): Promise<void> {
  if (connection === undefined) return;
  const request = encodeRequest(probe.requestBytes ?? 64, probe.responseBytes ?? 64);
  const responseBytes = probe.responseBytes ?? 64;
  const probeStop = new AbortController();
  const onStop = (): void => probeStop.abort();
  stop.addEventListener('abort', onStop, { once: true });
  const execute = async (d: { phase: Phase }): Promise<ExecuteResult> => {
    if (isDone()) probeStop.abort();
    const startNs = clock.nowNs();
    const response = connection.reader.expect(responseBytes);
    connection.socket.write(request);
    recorder.addBytesSent(d.phase, request.length);
    const outcome = await response;
    recorder.addBytesReceived(d.phase, outcome.bytes);
    if (!outcome.ok) {
      if (!stop.aborted) recorder.countError(d.phase, outcome.kind);
      probeStop.abort();
      return { ok: false };
    }
    recorder.countRoundTrip(d.phase);
    recorder.recordNs(d.phase, 'roundTrip', outcome.endNs - startNs, outcome.endNs);
    return { ok: true, endNs: outcome.endNs };
  };
  await runLoad({ load: { model: 'open', ratePerSec: probe.ratePerSec, maxInFlight: 1 }, slots: 1, window, clock, stop: probeStop.signal, recorder, execute });
  stop.removeEventListener('abort', onStop);
  connector.destroy(connection);
}

function checkParams(p: TcpStreamParams): void {
  const problems: string[] = [];
  if (!['upload', 'download', 'both'].includes(p.direction)) problems.push(`\`direction\` must be upload, download or both, got ${String(p.direction)}`);
  if (p.connections !== undefined && (!Number.isInteger(p.connections) || p.connections < 1)) problems.push(`\`connections\` must be an integer >= 1, got ${p.connections}`);
  if (p.totalBytes !== undefined && !(p.totalBytes >= 1)) problems.push(`\`totalBytes\` must be >= 1, got ${p.totalBytes}`);
  if (p.probe !== undefined && !(p.probe.ratePerSec > 0)) problems.push(`\`probe.ratePerSec\` must be > 0, got ${p.probe.ratePerSec}`);
  if (problems.length > 0) throw new WorkloadError(`tcp-stream: ${problems.join('; ')}`);
}
