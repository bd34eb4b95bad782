// Worker thread of `hcbench merge` (see merge-fold.ts): folds the histograms of the shard results
// the main thread read and checked (each posted without its other fields) into sums of its own,
// answering each with `done` (or the refusal naming its file and step), and on `finish` posts its
// sums with their buffers transferred, not copied. Its modules are only the fold's (no parser).

import { parentPort, workerData } from 'node:worker_threads';
import { foldShardCounts, type FoldGrid } from '../analysis/shard-counts.js';
import type { StepCounts } from '../analysis/shard-steps.js';
import { HarnessError } from '../errors.js';
import type { FoldJob, FoldReply } from './merge-fold.js';

const { grid } = workerData as { grid: FoldGrid };
const port = parentPort;
const sums: (StepCounts | undefined)[] = [];

/** An error as plain data (classes do not cross threads). */
function errorData(error: unknown): NonNullable<Extract<FoldReply, { kind: 'done' }>['error']> {
  if (error instanceof HarnessError) return { code: error.code, exitCode: error.exitCode, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  return { message: error instanceof Error ? error.message : String(error) };
}

port?.on('message', (job: FoldJob | 'finish') => {
  if (job === 'finish') {
    const buffers = sums.flatMap((s) => (s === undefined ? [] : [...s.histograms.values(), ...[...s.intervals.values()].map((i) => i.counts)].map((c) => c.counts.buffer as ArrayBuffer)));
    port.postMessage({ kind: 'sums', sums } satisfies FoldReply, buffers);
    port.close();
    return;
  }
  try {
    foldShardCounts(sums, job.input, job.file, grid);
    port.postMessage({ kind: 'done', index: job.index } satisfies FoldReply);
  } catch (error) {
    port.postMessage({ kind: 'done', index: job.index, error: errorData(error) } satisfies FoldReply);
  }
});
