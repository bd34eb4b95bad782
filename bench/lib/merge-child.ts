// A process of its own for the merge entry (run with `node --expose-gc --import tsx`), so its time
// and peak memory are the work's alone, after every module is loaded:
// - `merge <out> <files...>`: `hcbench merge <files...> --out <out>` itself (the CLI's main, in this
//   process): read, check and fold every shard result, analyse, write the merged JSON. The built
//   CLI's main (dist/) when there is one, as users run it: the merge's worker threads load compiled
//   modules, where under tsx each would register the TS loader first (twice the CPU, 80 MB more);
// - `read <files...>`: only read and check the same files, as every command loads a result (the floor of any merge);
// - `merge-retained <files...>`: the fold with a GC after each file, recording the heap it retains.
// Prints `{ ms, cpuMs, exitCode, peakRssGrowthMb, peakIsExact, retainedMb, isBuilt }` as JSON on stdout.
// The peak: Linux's VmHWM, reset (clear_refs 5) after loading, read after the work; elsewhere the
// process's maxRSS (it then includes the loading peak: an upper bound).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createShardMerger } from '../../src/analysis/shard-merge.js';
import { main as sourceMain } from '../../src/cli/main.js';
import { loadResultFile } from '../../src/cli/result-file.js';

const MB = 1024 * 1024;
const [mode, ...args] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

/** Resets the peak RSS to the current RSS; false where the kernel offers no reset. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS since the reset (VmHWM), bytes; maxRSS where /proc is missing. */
function peakRss(isExact: boolean): number {
  if (isExact) {
    const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (line?.[1] !== undefined) return Number(line[1]) * 1024;
  }
  return process.resourceUsage().maxRSS * 1024;
}

const BUILT = new URL('../../dist/cli/main.js', import.meta.url);
const isBuilt = existsSync(BUILT);
const main = isBuilt ? ((await import(BUILT.href)) as { main: typeof sourceMain }).main : sourceMain;
const quiet = { write: (): boolean => true };
// The merge's worker threads as the environment asks (HCBENCH_MERGE_WORKERS), else as the load allows.
const io = { stdout: quiet, stderr: quiet, env: { HCBENCH_MERGE_WORKERS: process.env['HCBENCH_MERGE_WORKERS'] }, cwd: '/', signal: new AbortController().signal };
// No warm-up: a fresh process running the command once is what a user's `hcbench merge` costs.
gc();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage();
const peakIsExact = resetPeak();
const started = performance.now();
const cpuStarted = process.cpuUsage();
let exitCode = 0;
const retainedMb: number[] = [];
if (mode === 'merge') {
  const [out, ...files] = args;
  exitCode = await main(['merge', ...files, '--out', out ?? ''], io);
} else if (mode === 'read') {
  for (const file of args) await loadResultFile('/', file);
} else if (mode === 'merge-retained') {
  const merger = createShardMerger();
  for (const file of args) {
    merger.add(await loadResultFile('/', file, { skipHistogramCheck: true }), file);
    // What the merge holds after each file (garbage collected): flat in the number of shards when it folds.
    gc();
    // Typed-array counts live outside the JS heap: count both.
    const m = process.memoryUsage();
    retainedMb.push((m.heapUsed + m.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers) / MB);
  }
  merger.finish();
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const peakRssGrowthMb = (peakRss(peakIsExact) - rssBefore) / MB;
process.stdout.write(`${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, exitCode, peakRssGrowthMb, peakIsExact, retainedMb, isBuilt })}\n`);
