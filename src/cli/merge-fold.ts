// Reading and folding the shard results of `hcbench merge`. Up to SEQUENTIAL_MAX files are read
// and folded one at a time in this thread. Above that, this thread still reads, parses and checks
// every file in command-line order (one at a time, so refusals and memory are as in one thread)
// and adds the first whole (it sets the merged grid); the histograms of the others (inflating and
// walking them is most of a merge) go to W = cores - 1 worker threads in turn, at most IN_FLIGHT
// files each, folded into sums of their own that are added, transferred, at the end; every
// (W + 2)-th file this thread folds itself (reading and checking is about a third of its share).
// The first refusal in file order wins, a worker's (bad histogram, exit 2) or this thread's. Abort
// terminates the workers at once. Workers run only with a spare core (the 1-minute load average
// below the cores minus one): on a busy machine a thread more is CPU more (a worker's start, the
// copies) and no sooner. HCBENCH_MERGE_WORKERS=N sets the number (0: none) whatever the load.

import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FoldInput } from '../analysis/shard-counts.js';
import type { ShardMerger } from '../analysis/shard-merge.js';
import type { StepCounts } from '../analysis/shard-steps.js';
import { ExitCode, HarnessError } from '../errors.js';
import type { RunResult } from '../metrics/result.js';
import type { CliIo } from './io.js';
import { loadResultFile } from './result-file.js';

/** Most files folded in this thread alone: below this, starting workers costs more than it saves. */
const SEQUENTIAL_MAX = 12;
/** Most worker threads of one merge. */
const MAX_WORKERS = 4;
/** Most files posted to one worker and not yet folded (memory: a few results' histograms at most). */
const IN_FLIGHT = 2;

/** One file's histograms for a worker. */
export interface FoldJob {
  index: number;
  file: string;
  input: FoldInput;
}

type FoldError = { code?: string; exitCode?: ExitCode; message: string; hint?: string };

/** A worker's message: a file folded (or its refusal), or at the end its sums. */
export type FoldReply = { kind: 'done'; index: number; error?: FoldError } | { kind: 'sums'; sums: (StepCounts | undefined)[] };

/** Worker threads for `count` files (0: fold in this thread alone): one per core besides this thread's, when they are spare. */
function workerCount(count: number, env: CliIo['env']): number {
  if (count <= SEQUENTIAL_MAX) return 0;
  const asked = env['HCBENCH_MERGE_WORKERS'];
  if (asked !== undefined && /^\d+$/.test(asked.trim())) return Math.min(Number(asked), MAX_WORKERS);
  const cores = availableParallelism();
  const isSpare = (loadavg()[0] ?? 0) < cores - 1;
  return isSpare ? Math.min(cores - 1, MAX_WORKERS) : 0;
}

/** Starts the worker: the compiled JS next to this file, or (TS source under tsx) a bootstrap registering tsx first. */
function startWorker(workerData: unknown): Worker {
  const isTs = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(isTs ? './merge-worker.ts' : './merge-worker.js', import.meta.url));
  if (!isTs) return new Worker(file, { workerData });
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** A worker's refusal as the error it was. */
function rebuild(error: FoldError, file: string): Error {
  if (error.code === undefined || error.exitCode === undefined) return new Error(`${file}: ${error.message}`);
  return new HarnessError(error.code, error.exitCode, error.message, error.hint === undefined ? {} : { hint: error.hint });
}

/** What a worker folds of a result: its shard record and the steps' histograms, nothing else. */
function foldInput(result: RunResult): FoldInput {
  const steps = result.steps.map((s) => (s.status === 'failed' ? s : { ...s, metrics: { windowStartMs: s.metrics.windowStartMs, histograms: s.metrics.histograms, intervals: s.metrics.intervals } }));
  return { ...(result.shard === undefined ? {} : { shard: result.shard }), steps: steps as RunResult['steps'] };
}

/** Reads and adds every file to `merger` (see the file comment); returns early (nothing more added) when `io.signal` aborts. */
export async function foldResultFiles(merger: ShardMerger, files: readonly string[], io: CliIo): Promise<void> {
  const load = (file: string): Promise<RunResult> => loadResultFile(io.cwd, file, { allowFolder: true, skipHistogramCheck: true });
  const count = workerCount(files.length, io.env);
  for (const file of count === 0 ? files : files.slice(0, 1)) {
    if (io.signal.aborted) return;
    merger.add(await load(file), file);
  }
  if (count === 0 || io.signal.aborted) return;
  const grid = merger.grid();
  const workers = Array.from({ length: count }, () => ({ worker: startWorker({ grid }), inFlight: 0 }));
  // Every change (a reply, a crash, abort) wakes the waits, which look again.
  let wake: () => void = () => {};
  const changed = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  const refusals = new Map<number, Error>();
  const sums: (StepCounts | undefined)[][] = [];
  let crash: Error | undefined;
  const onAbort = (): void => wake();
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (const [w, slot] of workers.entries()) {
      slot.worker.on('message', (reply: FoldReply) => {
        if (reply.kind === 'sums') sums.push(reply.sums);
        else {
          slot.inFlight--;
          if (reply.error !== undefined) refusals.set(reply.index, rebuild(reply.error, files[reply.index] ?? ''));
        }
        wake();
      });
      slot.worker.on('error', (error) => ((crash ??= error), wake()));
      slot.worker.on('exit', (code) => (code === 0 ? undefined : ((crash ??= new Error(`merge worker ${w + 1} of ${count} stopped (exit ${code})`)), wake())));
    }
    const until = async (done: () => boolean): Promise<void> => {
      while (!done() && crash === undefined && !io.signal.aborted) await changed();
      if (crash !== undefined) throw crash;
    };
    let failedAt: { index: number; error: unknown } | undefined;
    let turn = 0;
    for (let index = 1; index < files.length && refusals.size === 0 && !io.signal.aborted; index++) {
      const file = files[index] as string;
      try {
        const result = await load(file);
        const isOwn = index % (count + 2) === 0;
        merger.add(result, file, !isOwn);
        if (isOwn) continue;
        const slot = workers[turn++ % count] as (typeof workers)[number];
        await until(() => slot.inFlight < IN_FLIGHT);
        slot.inFlight++;
        slot.worker.postMessage({ index, file, input: foldInput(result) } satisfies FoldJob);
      } catch (error) {
        failedAt = { index, error };
        break;
      }
    }
    // Every posted file folded: a worker's refusal of an earlier file comes first.
    await until(() => workers.every((s) => s.inFlight === 0));
    if (io.signal.aborted) return;
    const firstRefused = Math.min(...refusals.keys());
    if (refusals.size > 0 && (failedAt === undefined || firstRefused < failedAt.index)) throw refusals.get(firstRefused);
    if (failedAt !== undefined) throw failedAt.error;
    for (const slot of workers) slot.worker.postMessage('finish');
    await until(() => sums.length === count);
    if (io.signal.aborted) return;
    for (const steps of sums) merger.addCounts(steps);
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((s) => s.worker.terminate()));
  }
}
