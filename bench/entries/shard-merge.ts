// Entry of issue #20 (sharded runs): `hcbench merge` of 64 shard results of a 5-minute run
// (synthetic, seeded, realistic size: two 150 s steps, 1 s interval histograms, 400 round trips
// per second per shard) must take < 1 s and memory proportional to one result, not to 64.
// hcbench side: the merge command itself (the CLI's main: read, check and fold the 64 files,
// analyse, write the merged JSON), timed in a fresh process after its modules are loaded. The
// reference, in the same rounds: the same 64 files read and checked as every command loads a
// result, no merge (the floor of any merge). Each figure is the median of 3 fresh processes, so
// one process the machine slowed down does not make the round. Memory: the peak RSS growth of the
// 64-shard merge against that of the same command merging one shard (--allow-partial), and the
// heap the fold retains after 1, 8 and 64 shards.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ExitCode } from '../../src/errors.js';
import { writeShardResults } from '../lib/shard-results.js';
import { median } from '../lib/steadiness.js';
import type { BenchEntry, Figure } from '../lib/types.js';

const SHARDS = 64;
/** Fresh processes per figure (its median is the figure). */
const RUNS_PER_FIGURE = 3;
/** The issue's target for the 64-shard merge, ms. */
const TARGET_MS = 1000;
/** Largest peak-memory ratio (64-shard merge / 1-shard merge) that counts as proportional to one result; holding 64 results would be ~64. */
const MEMORY_RATIO_LIMIT = 4;
const CHILD = fileURLToPath(new URL('../lib/merge-child.ts', import.meta.url));

interface ChildFigures {
  ms: number;
  cpuMs: number;
  exitCode: number;
  peakRssGrowthMb: number;
  peakIsExact: boolean;
  retainedMb: number[];
}

async function runChild(args: readonly string[], signal: AbortSignal): Promise<ChildFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, ...args], { signal, maxBuffer: 1024 * 1024, timeout: 120_000 });
  const figures = JSON.parse(stdout) as ChildFigures;
  // A merge that refused or failed measured nothing worth a figure.
  if (figures.exitCode !== ExitCode.Ok && figures.exitCode !== ExitCode.ThresholdsFailed) throw new Error(`merge child exited ${figures.exitCode} (${args[0]})`);
  return figures;
}

/** Median of RUNS_PER_FIGURE fresh processes, field by field. */
async function medianOfRuns(args: readonly string[], signal: AbortSignal): Promise<ChildFigures & { minMs: number; maxMs: number }> {
  const runs: ChildFigures[] = [];
  for (let i = 0; i < RUNS_PER_FIGURE; i++) runs.push(await runChild(args, signal));
  const of = (key: 'ms' | 'cpuMs' | 'peakRssGrowthMb'): number => median(runs.map((r) => r[key]));
  const times = runs.map((r) => r.ms);
  return { ms: of('ms'), cpuMs: of('cpuMs'), peakRssGrowthMb: of('peakRssGrowthMb'), exitCode: 0, peakIsExact: runs.every((r) => r.peakIsExact), retainedMb: [], minMs: Math.min(...times), maxMs: Math.max(...times) };
}

const round = (x: number): number => Math.round(x * 10) / 10;

export const shardMerge: BenchEntry = {
  id: 'shard-merge',
  title: `hcbench merge of ${SHARDS} shard results of a 5-minute run: time (target < 1 s) and peak memory vs merging one result`,
  issue: '#20',
  unit: 'ms',
  better: 'lower',
  hcbenchLabel: `hcbench merge of ${SHARDS} results (HDR sums, 300 interval histograms each, analysis, merged JSON written), fresh process, median of ${RUNS_PER_FIGURE}`,
  referenceLabel: `read and check the same ${SHARDS} results as every command loads them, no merge, fresh process, median of ${RUNS_PER_FIGURE}`,
  requires: [],
  async setup(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-bench-shards-'));
    try {
      ctx.log(`shard-merge: writing ${SHARDS} synthetic shard results`);
      const { files, bytesPerResult } = writeShardResults(dir, SHARDS, 20);
      const out = join(dir, 'merged.json');
      // The same command on one shard: the memory one result takes through the merge.
      const one = await medianOfRuns(['merge', join(dir, 'merged-1.json'), files[0] ?? '', '--allow-partial'], ctx.signal);
      // Retained heap after 1, 8 and 64 shards (GC after each): flat when memory does not grow with N.
      const retained = (await runChild(['merge-retained', ...files], ctx.signal)).retainedMb;
      const shared = {
        resultMb: round(bytesPerResult / 1024 / 1024),
        targetMs: TARGET_MS,
        oneShardPeakRssGrowthMb: round(one.peakRssGrowthMb),
        retainedAfter1Mb: round(retained[0] ?? 0),
        retainedAfter8Mb: round(retained[7] ?? 0),
        retainedAfter64Mb: round(retained[SHARDS - 1] ?? 0),
      };
      const figure = (f: Awaited<ReturnType<typeof medianOfRuns>>, isMerge: boolean): Figure => {
        const memoryRatio = f.peakRssGrowthMb / Math.max(one.peakRssGrowthMb, 1);
        return {
          value: round(f.ms),
          detail: {
            minMs: round(f.minMs),
            maxMs: round(f.maxMs),
            cpuMs: round(f.cpuMs),
            peakRssGrowthMb: round(f.peakRssGrowthMb),
            peakRssPerOneShard: round(memoryRatio),
            ...shared,
            ...(isMerge ? { withinTarget: f.ms < TARGET_MS ? 1 : 0, memoryProportional: memoryRatio <= MEMORY_RATIO_LIMIT ? 1 : 0 } : {}),
          },
          notes: [
            ...(f.peakIsExact ? [] : ['peak RSS from maxRSS (includes module loading): an upper bound']),
            ...(isMerge ? [`targets: < ${TARGET_MS} ms; peak RSS growth <= ${MEMORY_RATIO_LIMIT}x the 1-shard merge's (withinTarget, memoryProportional: 1 = met)`] : []),
          ],
        };
      };
      return {
        runHcbench: async () => figure(await medianOfRuns(['merge', out, ...files], ctx.signal), true),
        runReference: async () => figure(await medianOfRuns(['read', ...files], ctx.signal), false),
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  },
};
