// Spreads one transaction-shaped workload over N worker threads (`generators: N`) so a single
// core does not cap the load: splits connections and rates, runs the same driver in each thread
// on the same dial address, and merges the metrics exactly. It never changes what a driver does.

import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { WorkloadError } from '../errors.js';
import { mergeStepMetrics } from '../metrics/merge.js';
import type { GeneratorHealth, GeneratorNoise, LatencySummary, StepMetrics } from '../metrics/result.js';
import { judge } from './generator-health.js';
import { IntervalMerger, type PostedInterval } from './generator-intervals.js';
import { describeTiming } from './timing.js';
import { systemClock, type LoadModel, type WorkloadOutcome, type WorkloadParams, type WorkloadRunOptions } from './types.js';

/** Kinds that may run on several generators. */
export type GeneratorKind = 'tcp-request-response' | 'connection-churn' | 'dialog';
type GeneratorParams = Extract<WorkloadParams, { kind: GeneratorKind }>;

/** What a worker gets (structured-cloned). */
export interface GeneratorJob {
  dialAddress: WorkloadRunOptions['dialAddress'];
  params: GeneratorParams;
  warmupMs: number;
  durationMs: number;
  /** Generator threads in this run (CPU is process-wide, so bounds scale with it). */
  threads: number;
  /** The one warm-up start (process-wide monotonic clock, ns) every thread's window begins at. */
  windowStartNs: bigint;
  /** See {@link WorkloadRunOptions.expectedRoundTripUs}. */
  expectedRoundTripUs?: number;
  /** Post each finished interval (generator-intervals.ts): the step has an interval listener. */
  liveIntervals?: boolean;
}

/** What a worker posts back (before its reply: any number of intervals, when asked for). */
export type GeneratorReply =
  | { type: 'done'; outcome: WorkloadOutcome; health: GeneratorHealth }
  | { type: 'error'; code: string; message: string };

export const MAX_GENERATORS = 16;

/** True when `params` asks for more than one generator thread. */
export function wantsGenerators(params: WorkloadParams): params is GeneratorParams & { generators: number } {
  return 'generators' in params && (params.generators ?? 1) > 1;
}

/** The share of an integer total for part i of n (remainder to the first parts). */
function share(total: number, i: number, n: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

function splitLoad(load: LoadModel | undefined, i: number, n: number): LoadModel | undefined {
  if (load === undefined || load.model === 'closed') return load;
  return {
    ...load,
    ratePerSec: load.ratePerSec / n,
    ...(load.stages === undefined ? {} : { stages: load.stages.map((s) => ({ ...s, targetRatePerSec: s.targetRatePerSec / n })) }),
    seed: (load.seed ?? 1) + i,
    ...(load.maxInFlight === undefined ? {} : { maxInFlight: Math.max(1, share(load.maxInFlight, i, n)) }),
    ...(load.maxQueue === undefined ? {} : { maxQueue: Math.max(1, share(load.maxQueue, i, n)) }),
  };
}

/** Params of worker i of n. */
export function splitParams(params: GeneratorParams, i: number, n: number): GeneratorParams {
  const load = splitLoad(params.load, i, n);
  return { ...params, connections: share(params.connections, i, n), generators: 1, ...(load === undefined ? {} : { load }) };
}

/**
 * How to start a worker: the compiled JS next to this file, or (tests, running the TS source)
 * a tiny bootstrap that registers tsx inside the worker and then imports the TS entry, because
 * Node 20 workers do not inherit `--import` loaders.
 */
function workerEntry(): { file: string; start: (workerData: unknown) => Worker } {
  if (!import.meta.url.endsWith('.ts')) {
    const file = fileURLToPath(new URL('./generator-worker.js', import.meta.url));
    return { file, start: (workerData) => new Worker(file, { workerData }) };
  }
  const file = fileURLToPath(new URL('./generator-worker.ts', import.meta.url));
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); });`;
  return { file, start: (workerData) => new Worker(bootstrap, { eval: true, workerData }) };
}

/**
 * The jobs of n worker threads: each its share of the load, all one window. Threads start tens to
 * hundreds of ms apart; a window of their own each would put their measured windows at different
 * times while the merge assumes one. The shared start is now on the process-wide monotonic clock
 * (what every thread's systemClock reads); a thread that starts late loses part of its warm-up.
 */
export function generatorJobs(options: WorkloadRunOptions, n: number): GeneratorJob[] {
  const params = options.params as GeneratorParams;
  const windowStartNs = options.windowStartNs ?? systemClock.nowNs();
  return Array.from({ length: n }, (_, i) => ({
    dialAddress: options.dialAddress,
    params: splitParams(params, i, n),
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    threads: n,
    windowStartNs,
    ...(options.expectedRoundTripUs === undefined ? {} : { expectedRoundTripUs: options.expectedRoundTripUs }),
    ...(options.onInterval === undefined ? {} : { liveIntervals: true }),
  }));
}

/** Runs `options` on `params.generators` worker threads and merges their metrics. */
export async function runOnGenerators(options: WorkloadRunOptions): Promise<WorkloadOutcome> {
  const params = options.params;
  if (!wantsGenerators(params)) throw new WorkloadError(`${params.kind} cannot run on several generators`);
  const n = params.generators;
  if (!Number.isInteger(n) || n > MAX_GENERATORS || n > params.connections) {
    throw new WorkloadError(`\`generators\` must be an integer in 1..${MAX_GENERATORS} and <= \`connections\` (${params.connections}), got ${n}`);
  }
  const entry = workerEntry();
  if (!existsSync(entry.file)) throw new WorkloadError(`generator worker entry missing: ${entry.file}`);
  const workers = generatorJobs(options, n).map((job) => entry.start(job));
  const onAbort = (): void => workers.forEach((w) => w.postMessage('abort'));
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) onAbort();
  try {
    const merger = options.onInterval === undefined ? undefined : new IntervalMerger(n, options.onInterval);
    const collected = workers.map((w, i) => collect(w, options.warmupMs + options.durationMs + READY_TIMEOUT_MS + 60_000, (posted) => merger?.add(i, posted)));
    // One window for all threads, opened once every thread is up: a thread booting late (hundreds
    // of ms on a busy machine, seconds under a TS loader) would otherwise miss part of the window.
    const windowStartNs = await startWhenReady(workers, options, collected);
    const replies = await Promise.all(collected);
    const failed = replies.find((r): r is Extract<GeneratorReply, { type: 'error' }> => r.type === 'error');
    if (failed !== undefined) throw new WorkloadError(`generator thread failed: ${failed.message} (${failed.code})`);
    const done = replies as Extract<GeneratorReply, { type: 'done' }>[];
    const metrics = mergeStepMetrics(done.map((r) => r.outcome.metrics));
    metrics.timing = describeTiming(params.load ?? { model: 'closed' });
    metrics.generator = mergeHealth(metrics, done.map((r) => r.health), n);
    return { metrics, isAborted: done.some((r) => r.outcome.isAborted), ...(windowStartNs === undefined ? {} : { windowStartNs }) };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** How long every generator thread together may take to boot, ms. */
export const READY_TIMEOUT_MS = 30_000;

/**
 * Waits until every worker posted `ready` (or one replied early: failed), then posts each the one
 * window start, no earlier than the one given; returns it (undefined when no start was posted).
 */
async function startWhenReady(workers: readonly Worker[], options: WorkloadRunOptions, replies: readonly Promise<GeneratorReply>[]): Promise<bigint | undefined> {
  const ready = workers.map((w) => new Promise<void>((resolve) => w.once('message', (m: unknown) => m === 'ready' && resolve())));
  const early = Promise.race(replies).then(() => 'replied' as const);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS)));
  let onAbort = (): void => undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (options.signal.aborted) onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
  const outcome = await Promise.race([Promise.all(ready).then(() => 'ready' as const), early, timeout, aborted]);
  options.signal.removeEventListener('abort', onAbort);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    for (const w of workers) void w.terminate();
    throw new WorkloadError(`generator threads were not all ready within ${READY_TIMEOUT_MS} ms`);
  }
  const now = systemClock.nowNs();
  const windowStartNs = options.windowStartNs === undefined || options.windowStartNs < now ? now : options.windowStartNs;
  for (const w of workers) w.postMessage({ type: 'start', windowStartNs });
  return outcome === 'ready' ? windowStartNs : undefined;
}

/**
 * Waits for a worker's reply, handing its posted intervals to `onInterval` meanwhile; a crash,
 * exit without reply or timeout becomes an error reply.
 */
function collect(worker: Worker, timeoutMs: number, onInterval: (posted: PostedInterval) => void): Promise<GeneratorReply> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'error', code: 'ERR_WORKLOAD', message: `no reply within ${timeoutMs} ms` }), timeoutMs);
    const onMessage = (message: GeneratorReply | PostedInterval | 'ready'): void => {
      if (message === 'ready') return; // startWhenReady's
      if (message.type === 'interval') onInterval(message);
      else finish(message);
    };
    const finish = (reply: GeneratorReply): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(reply);
    };
    worker.on('message', onMessage);
    worker.once('error', (error: Error) => finish({ type: 'error', code: 'ERR_INTERNAL', message: error.message }));
    worker.once('exit', (code) => finish({ type: 'error', code: 'ERR_INTERNAL', message: `worker exited with code ${code} before replying` }));
  });
}

/**
 * Worst thread's loop delay and noise per rank, process CPU (each thread sees the whole process:
 * the max); the merged step's statistics are judged against that worst noise.
 */
function mergeHealth(metrics: StepMetrics, list: readonly GeneratorHealth[], generators: number): GeneratorHealth {
  const worst = list.reduce<LatencySummary | undefined>((w, h) => (w === undefined || h.eventLoopDelay.p99Us > w.p99Us ? h.eventLoopDelay : w), undefined);
  const noises = list.map((h) => h.noise).filter((x): x is GeneratorNoise => x !== undefined);
  const noise: GeneratorNoise | undefined =
    noises.length === 0
      ? undefined
      : {
          samples: noises.reduce((a, x) => a + x.samples, 0),
          meanUs: Math.max(...noises.map((x) => x.meanUs)),
          p95Us: Math.max(...noises.map((x) => x.p95Us)),
          p99Us: Math.max(...noises.map((x) => x.p99Us)),
          p999Us: Math.max(...noises.map((x) => x.p999Us)),
          p9999Us: Math.max(...noises.map((x) => x.p9999Us)),
          maxUs: Math.max(...noises.map((x) => x.maxUs)),
        };
  const loop = worst ?? { count: 0, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  // Each thread's dispatch lag is already in its own noise; the merged judgement adds the merged lag too.
  return judge(metrics, loop, Math.max(0, ...list.map((h) => h.cpuPercent)), generators, noise);
}
