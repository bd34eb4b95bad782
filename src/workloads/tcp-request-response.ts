// Driver of the chatty request/response workload (closed model, persistent connections):
// each connection runs transactions of k sequential round trips against the built-in target's
// protocol. It dials only the address it is given and never knows which path it is on.
// Failures of the system under test are counted by kind; this file never throws for them.

import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type net from 'node:net';
import { StepRecorder, type Phase } from '../metrics/recorder.js';
import { encodeRequest } from '../targets/request-response-protocol.js';
import { WorkloadError } from '../errors.js';
import { dialTcp } from './tcp-dial.js';
import { ResponseReader } from './response-reader.js';
import type { TcpRequestResponseParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';

/** Default per-response timeout (and end-of-window grace), milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default TCP connect timeout, milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Reconnect backoff after consecutive failures: doubles from the first value up to the second, ms. */
const BACKOFF_FIRST_MS = 5;
const BACKOFF_MAX_MS = 200;
/** Safety bound on transactions per connection (the clock bounds the loop in practice). */
const MAX_TRANSACTIONS_PER_CONNECTION = 100_000_000;
/** Safety bound on consecutive failed attempts per connection before it gives up. */
const MAX_CONSECUTIVE_FAILURES = 10_000;

interface Connection {
  socket: net.Socket;
  reader: ResponseReader;
}

interface RunContext {
  options: WorkloadRunOptions<TcpRequestResponseParams>;
  recorder: StepRecorder;
  request: Buffer;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Aborted on the caller's abort or at the hard deadline: stops every loop and pending wait. */
  stop: AbortController;
  /** Window boundaries on the injected clock, set once all initial connects are done. */
  warmupEndNs: bigint;
  endNs: bigint;
  live: Set<Connection>;
}

/** The tcp-request-response workload (closed model, persistent connections). */
export const tcpRequestResponse: Workload<TcpRequestResponseParams> = {
  kind: 'tcp-request-response',
  run: runTcpRequestResponse,
};

async function runTcpRequestResponse(options: WorkloadRunOptions<TcpRequestResponseParams>): Promise<WorkloadOutcome> {
  const { params, clock, signal } = options;
  checkParams(params);
  const recorder = new StepRecorder();
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();
  const ctx: RunContext = {
    options,
    recorder,
    request: encodeRequest(params.requestBytes, params.responseBytes),
    timeoutMs: params.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: params.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    stop,
    warmupEndNs: 0n,
    endNs: 0n,
    live: new Set(),
  };
  // Every connection's dial and backoff listen on `stop` (and remove their listener when done).
  setMaxListeners(0, stop.signal);
  // A stop must also release connections blocked on a response.
  stop.signal.addEventListener('abort', () => {
    for (const connection of ctx.live) closeConnection(ctx, connection);
  });
  let hardStop: NodeJS.Timeout | undefined;
  try {
    // Initial connections belong to the step (measured counters and connect histogram), so a
    // persistent run reports its setup cost even with a warm-up.
    const initial = await Promise.all(Array.from({ length: params.connections }, () => openConnection(ctx, 'measured')));
    const startNs = clock.nowNs();
    ctx.warmupEndNs = startNs + msToNs(options.warmupMs);
    ctx.endNs = ctx.warmupEndNs + msToNs(options.durationMs);
    // Hard deadline on the real timer: even if the injected clock misbehaves, nothing outlives
    // the window plus one response timeout of grace.
    hardStop = setTimeout(() => stop.abort(), options.warmupMs + options.durationMs + ctx.timeoutMs + 1000);
    await Promise.all(initial.map((connection) => connectionLoop(ctx, connection)));
    const isAborted = signal.aborted;
    const measuredNs = minBigInt(isAborted ? clock.nowNs() : ctx.endNs, ctx.endNs) - ctx.warmupEndNs;
    const durationMs = isAborted ? Math.max(0, Number(measuredNs) / 1e6) : options.durationMs;
    return { metrics: recorder.snapshot({ durationMs, warmupMs: options.warmupMs }), isAborted };
  } finally {
    clearTimeout(hardStop);
    signal.removeEventListener('abort', onAbort);
    for (const connection of ctx.live) closeConnection(ctx, connection);
    recorder.destroy();
  }
}

/** One connection's closed loop: transactions back to back until the window ends; reconnects on failure. */
async function connectionLoop(ctx: RunContext, first: Connection | undefined): Promise<void> {
  const { clock } = ctx.options;
  let connection = first;
  let consecutiveFailures = connection === undefined ? 1 : 0;
  for (let i = 0; i < MAX_TRANSACTIONS_PER_CONNECTION; i++) {
    if (ctx.stop.signal.aborted || consecutiveFailures > MAX_CONSECUTIVE_FAILURES) break;
    const nowNs = clock.nowNs();
    if (nowNs >= ctx.endNs) break;
    const phase: Phase = nowNs < ctx.warmupEndNs ? 'warmup' : 'measured';
    if (consecutiveFailures > 0) await backoff(ctx, consecutiveFailures);
    if (ctx.stop.signal.aborted) break;
    connection ??= await openConnection(ctx, phase);
    if (connection === undefined) {
      consecutiveFailures += 1;
      continue;
    }
    if (await runTransaction(ctx, connection, phase)) {
      consecutiveFailures = 0;
    } else {
      closeConnection(ctx, connection);
      connection = undefined;
      consecutiveFailures += 1;
    }
  }
  if (connection !== undefined) closeConnection(ctx, connection);
}

/** k sequential round trips on one connection; true when all completed. Records into `phase`. */
async function runTransaction(ctx: RunContext, connection: Connection, phase: Phase): Promise<boolean> {
  const { params, clock } = ctx.options;
  const { recorder, request } = ctx;
  let transactionStartNs = 0n;
  for (let k = 0; k < params.roundTripsPerTransaction; k++) {
    const startNs = clock.nowNs();
    if (k === 0) transactionStartNs = startNs;
    const response = connection.reader.expect(params.responseBytes);
    connection.socket.write(request);
    recorder.addBytesSent(phase, request.length);
    const outcome = await response;
    recorder.addBytesReceived(phase, outcome.bytes);
    if (!outcome.ok) {
      // Failures after a stop (abort, hard deadline) are our own doing, not the target's.
      if (!ctx.stop.signal.aborted) recorder.countError(phase, outcome.kind);
      return false;
    }
    recorder.countRoundTrip(phase);
    recorder.recordNs(phase, 'roundTrip', outcome.endNs - startNs);
    if (k === params.roundTripsPerTransaction - 1) {
      recorder.countTransaction(phase);
      recorder.recordNs(phase, 'transaction', outcome.endNs - transactionStartNs);
    }
  }
  return true;
}

/** Dials once; records connect time or the failure into `phase`; undefined on failure. */
async function openConnection(ctx: RunContext, phase: Phase): Promise<Connection | undefined> {
  const { dialAddress, clock } = ctx.options;
  const dialed = await dialTcp(dialAddress, ctx.connectTimeoutMs, clock, ctx.stop.signal);
  if (!dialed.ok) {
    if (!ctx.stop.signal.aborted) ctx.recorder.countError(phase, dialed.kind);
    return undefined;
  }
  if (ctx.stop.signal.aborted) {
    dialed.socket.destroy();
    return undefined;
  }
  ctx.recorder.countConnectionOpened(phase);
  ctx.recorder.recordNs(phase, 'connect', dialed.endNs - dialed.startNs);
  const connection: Connection = { socket: dialed.socket, reader: new ResponseReader(dialed.socket, clock, ctx.timeoutMs) };
  ctx.live.add(connection);
  return connection;
}

function closeConnection(ctx: RunContext, connection: Connection): void {
  if (!ctx.live.delete(connection)) return;
  connection.reader.dispose();
  connection.socket.destroy();
}

/** Waits before retrying after `failures` consecutive failures; returns early on stop. */
async function backoff(ctx: RunContext, failures: number): Promise<void> {
  const delayMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(failures - 1, 16));
  const leftMs = ctx.endNs > 0n ? Number(ctx.endNs - ctx.options.clock.nowNs()) / 1e6 : delayMs;
  if (leftMs <= 0) return;
  try {
    await sleep(Math.min(delayMs, leftMs), undefined, { signal: ctx.stop.signal });
  } catch {
    // Aborted: the loop checks the stop signal next.
  }
}

function checkParams(p: TcpRequestResponseParams): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.connections) || p.connections < 1) problems.push(`\`connections\` must be an integer >= 1, got ${p.connections}`);
  if (!Number.isInteger(p.roundTripsPerTransaction) || p.roundTripsPerTransaction < 1) {
    problems.push(`\`roundTripsPerTransaction\` must be an integer >= 1, got ${p.roundTripsPerTransaction}`);
  }
  if (!Number.isInteger(p.requestBytes) || p.requestBytes < 8) problems.push(`\`requestBytes\` must be an integer >= 8, got ${p.requestBytes}`);
  if (!Number.isInteger(p.responseBytes) || p.responseBytes < 1) problems.push(`\`responseBytes\` must be an integer >= 1, got ${p.responseBytes}`);
  if (problems.length > 0) throw new WorkloadError(`tcp-request-response: ${problems.join('; ')}`);
}

function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
