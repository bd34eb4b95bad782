// Entry of issue #20 (sharded runs): `hcbench merge` of 64 shard results of a 5-minute run
// (synthetic, seeded, realistic size: two 150 s steps, 1 s interval histograms, 400 round trips
// per second per shard) must take < 1 s and memory proportional to one result, not to 64. The
// reference is reading and checking the same 64 files without merging (the floor of any merge).
// Each side runs in a fresh process so its peak RSS is its own; a third process renders one
// result, the memory one result takes, for the ratio.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeShardResults } from '../lib/shard-results.js';
import type { BenchEntry, Figure } from '../lib/types.js';

const SHARDS = 64;
const CHILD = fileURLToPath(new URL('../lib/merge-child.ts', import.meta.url));

interface ChildFigures {
  ms: number;
  cpuMs: number;
  rssBeforeMb: number;
  maxRssMb: number;
  heapBeforeMb: number;
  peakHeapMb: number;
  retainedMb: number[];
}

async function runChild(mode: 'merge' | 'merge-retained' | 'read' | 'one', files: readonly string[], signal: AbortSignal): Promise<ChildFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, mode, ...files], { signal, maxBuffer: 1024 * 1024, timeout: 120_000 });
  return JSON.parse(stdout) as ChildFigures;
}

const round = (x: number): number => Math.round(x * 10) / 10;

export const shardMerge: BenchEntry = {
  id: 'shard-merge',
  title: `hcbench merge of ${SHARDS} shard results of a 5-minute run: time (target < 1 s) and peak memory vs one result's`,
  issue: '#20',
  unit: 'ms',
  better: 'lower',
  hcbenchLabel: `read, check and fold ${SHARDS} results (HDR sums, 300 interval histograms each), render the merged JSON`,
  referenceLabel: `read and check the same ${SHARDS} results, no merge`,
  requires: [],
  async setup(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-bench-shards-'));
    try {
      ctx.log(`shard-merge: writing ${SHARDS} synthetic shard results`);
      const { files, bytesPerResult } = writeShardResults(dir, SHARDS, 20);
      const one = await runChild('one', files.slice(0, 1), ctx.signal);
      const oneGrowthMb = one.maxRssMb - one.rssBeforeMb;
      // Retained heap after 1, 8 and 64 shards (GC after each): flat when memory does not grow with N.
      const retained = (await runChild('merge-retained', files, ctx.signal)).retainedMb;
      const retainedDetail = { retainedAfter1Mb: round(retained[0] ?? 0), retainedAfter8Mb: round(retained[7] ?? 0), retainedAfter64Mb: round(retained[SHARDS - 1] ?? 0) };
      const figure = (f: ChildFigures): Figure => {
        const growthMb = f.maxRssMb - f.rssBeforeMb;
        return {
          value: round(f.ms),
          detail: {
            resultMb: round(bytesPerResult / 1024 / 1024),
            peakRssGrowthMb: round(growthMb),
            peakHeapGrowthMb: round(f.peakHeapMb - f.heapBeforeMb),
            oneResultRssGrowthMb: round(oneGrowthMb),
            rssGrowthPerOneResult: round(growthMb / Math.max(oneGrowthMb, 1)),
            cpuMs: round(f.cpuMs),
            ...retainedDetail,
          },
        };
      };
      return {
        runHcbench: async () => figure(await runChild('merge', files, ctx.signal)),
        runReference: async () => figure(await runChild('read', files, ctx.signal)),
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  },
};
