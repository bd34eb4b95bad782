// Entry of issue #16 (a trace larger than memory allows is streamed): a version 2 trace of 1M
// conversations (4 turns each, 416 MiB; 300k, 125 MiB, in --quick) is read through the replay's own
// reader (openTrace's checking pass, then a ConversationFeed pass as a replay takes them) in a
// child whose V8 heap is capped at 64 MiB, far below the file. Reference: node:readline and a bare
// JSON.parse of every line of the same file (no checks), same cap. Figure: conversations per
// second of the replay pass; detail: the checking pass's rate, the peak heap in use and what stays
// after a full GC, the file's size.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderConversationLine, renderTraceHeader } from '../../src/trace/render.js';
import type { BenchEntry, Figure } from '../lib/types.js';

const HEAP_CAP_MIB = 64;
const MIB = 1024 * 1024;

async function writeTrace(file: string, conversations: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${renderTraceHeader({ recordedAt: new Date(0).toISOString(), payload: 'sizes', durationUs: conversations * 10 + 1000, peakConcurrency: 4 }, conversations)}\n`);
  for (let i = 0; i < conversations; i += 1000) {
    const lines: string[] = [];
    for (let id = i; id < Math.min(conversations, i + 1000); id++) {
      const turns = Array.from({ length: 4 }, (_, t) => ({ thinkUs: (id + t) % 100, requestBytes: 100 + ((id + t) % 50), serverUs: 200, responseBytes: 1000 + ((id * 7 + t) % 300), responseUs: 5 }));
      lines.push(renderConversationLine({ id, startUs: id * 10, connectUs: 50, durationUs: 1000 + (id % 7), end: 'client-closed', turns }));
    }
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

// Both children print { perSec, checkPerSec, count, peak, retained } (bytes for the heap).
const heap = `
const used = () => process.memoryUsage().heapUsed;
globalThis.gc();
const base = used();
let peak = 0, retained = 0;
const sample = (i) => { peak = Math.max(peak, used() - base); if (i % 100000 === 0) { globalThis.gc(); retained = Math.max(retained, used() - base); } };
`;
const hcbenchChild = `${heap}
const [openUrl, feedUrl, file] = process.argv.slice(1);
const { openTrace } = await import(openUrl);
const { ConversationFeed } = await import(feedUrl);
let n = 0;
let t = performance.now();
const source = await openTrace(file, () => { n += 1; if (n % 5000 === 0) sample(n); });
const checkPerSec = n / ((performance.now() - t) / 1000);
const feed = new ConversationFeed(source);
let turns = 0;
t = performance.now();
for (let i = 0; i < source.stats.replayable; i++) { turns += (await feed.next()).conversation.turns.length; if (i % 5000 === 0) sample(i); }
const perSec = source.stats.replayable / ((performance.now() - t) / 1000);
await feed.close();
console.log(JSON.stringify({ perSec, checkPerSec, count: source.stats.replayable, turns, peak, retained }));
`;
const referenceChild = `${heap}
const file = process.argv[3];
const { createReadStream } = await import('node:fs');
const { createInterface } = await import('node:readline');
let n = 0, turns = 0;
const t = performance.now();
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  const value = JSON.parse(line);
  if (n > 0) turns += value.turns.length;
  n += 1;
  if (n % 5000 === 0) sample(n);
}
const perSec = (n - 1) / ((performance.now() - t) / 1000);
console.log(JSON.stringify({ perSec, checkPerSec: 0, count: n - 1, turns, peak, retained }));
`;

async function runChild(script: string, file: string, signal: AbortSignal): Promise<Figure> {
  const url = (path: string): string => pathToFileURL(path).href;
  const src = new URL('../../src/', import.meta.url);
  const args = [`--max-old-space-size=${HEAP_CAP_MIB}`, '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script, url(new URL('trace/open-trace.ts', src).pathname), url(new URL('workloads/replay-feed.ts', src).pathname), file];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 600_000);
  const [code] = (await once(proc, 'exit')) as [number | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`trace-stream child exited ${code}: ${stderr.trim().slice(-300)}`);
  const r = JSON.parse(stdout) as { perSec: number; checkPerSec: number; count: number; turns: number; peak: number; retained: number };
  const fileMiB = statSync(file).size / MIB;
  return { value: r.perSec, detail: { checkPerSec: r.checkPerSec, conversations: r.count, turns: r.turns, peakHeapMiB: r.peak / MIB, retainedHeapMiB: r.retained / MIB, fileMiB } };
}

export const traceStream: BenchEntry = {
  id: 'trace-stream',
  title: `streamed trace: conversations/s through the replay's reader with the heap capped at ${HEAP_CAP_MIB} MiB (the file is larger than that), vs a bare readline + JSON.parse`,
  issue: '#16',
  unit: 'conv/s',
  better: 'higher',
  hcbenchLabel: `openTrace (checks every line), then a ConversationFeed pass; 1M conversations × 4 turns (300k in --quick), --max-old-space-size=${HEAP_CAP_MIB}`,
  referenceLabel: 'node:readline over the same file, JSON.parse per line, no checks, same heap cap',
  requires: [],
  rounds: 3,
  async setup(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-bench-trace-'));
    const file = join(dir, 'big.json');
    try {
      await writeTrace(file, ctx.isQuick ? 300_000 : 1_000_000);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    ctx.log(`trace-stream: ${(statSync(file).size / MIB).toFixed(0)} MiB trace written`);
    return {
      runHcbench: () => runChild(hcbenchChild, file, ctx.signal),
      runReference: () => runChild(referenceChild, file, ctx.signal),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};
