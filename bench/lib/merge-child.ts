// A process of its own for the merge entry (run with `node --expose-gc --import tsx`), so its peak
// memory is the work's alone: `merge <files...>` reads and folds every shard result as
// `hcbench merge` does and renders the merged JSON; `read <files...>` only reads and checks them
// (the floor any merge pays); `merge-retained`: the merge with a GC after each file, recording
// the heap it retains; `one <file>` reads one result and renders it (one result's memory).
// Prints `{ ms, cpuMs, rssBeforeMb, maxRssMb, heapBeforeMb, peakHeapMb }` as JSON on stdout.

import { createShardMerger } from '../../src/analysis/shard-merge.js';
import { loadResultFile } from '../../src/cli/result-file.js';
import { renderReport } from '../../src/report/index.js';

const MB = 1024 * 1024;
const [mode, ...files] = process.argv.slice(2);
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
let peakHeap = heapBefore;
const sample = (): void => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const started = performance.now();
const cpuStarted = process.cpuUsage();
let bytes = 0;
const retainedMb: number[] = [];
if (mode === 'merge' || mode === 'merge-retained') {
  const merger = createShardMerger();
  for (const file of files) {
    merger.add(await loadResultFile('/', file, { skipHistogramCheck: true }), file);
    sample();
    if (mode === 'merge-retained') {
      // What the merge holds after each file (garbage collected): flat in the number of shards when it folds.
      (globalThis as { gc?: () => void }).gc?.();
      // Typed-array counts live outside the JS heap: count both.
      const m = process.memoryUsage();
      retainedMb.push((m.heapUsed + m.arrayBuffers - heapBefore - arrayBuffersBefore) / MB);
    }
  }
  const merged = merger.finish();
  sample();
  bytes = renderReport('json', merged).length;
} else if (mode === 'read') {
  for (const file of files) {
    bytes += (await loadResultFile('/', file)).steps.length;
    sample();
  }
} else if (mode === 'one') {
  bytes = renderReport('json', await loadResultFile('/', files[0] ?? '')).length;
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
sample();
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;
// maxRSS is in kB; it includes the import-time peak, so growth computed from it is an upper bound.
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify({ ms, cpuMs, bytes, retainedMb, rssBeforeMb: rssBefore / MB, maxRssMb: maxRss / MB, heapBeforeMb: heapBefore / MB, peakHeapMb: peakHeap / MB })}\n`);
