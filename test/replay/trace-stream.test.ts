// A trace larger than memory allows is streamed, not loaded whole: a real version 2 file of 200k
// conversations (> 64 MiB, the old whole-file cap) is written to a temp dir, then checked and read
// through the replay's own reader (openTrace + ConversationFeed) in a child process whose V8 heap
// is capped below the file's size. The child reports exact counts and its heap (peak in use, and
// what stays after a full GC); the counts must equal what was written and the heap must stay far
// below the file's size. The file is deleted afterwards.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { INPUT_MAX_BYTES } from '../../src/fs/read-input.js';
import type { TraceConversation } from '../../src/trace/format.js';
import { renderConversationLine, renderTraceHeader } from '../../src/trace/render.js';

const CONVERSATIONS = 200_000;
const TURNS = 4;
/** The child's old-generation cap, MiB: well below the file, so a whole read could not fit. */
const HEAP_CAP_MIB = 48;

const dir = mkdtempSync(join(tmpdir(), 'hcbench-trace-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Conversation i; every tenth has no turns (a replay skips it). */
function conversation(i: number): TraceConversation {
  const turns = i % 10 === 9 ? [] : Array.from({ length: TURNS }, (_, t) => ({ thinkUs: (i + t) % 100, requestBytes: 100 + ((i + t) % 50), serverUs: 200, responseBytes: 1000 + ((i * 7 + t) % 300), responseUs: 5 }));
  return { id: i, startUs: i * 10, connectUs: 50, durationUs: 1000 + (i % 7), end: 'client-closed', turns };
}

async function writeTrace(file: string): Promise<void> {
  const out = createWriteStream(file);
  const content = { recordedAt: '2026-01-01T00:00:00.000Z', payload: 'sizes' as const, durationUs: CONVERSATIONS * 10 + 1000, peakConcurrency: 3 };
  out.write(`${renderTraceHeader(content, CONVERSATIONS)}\n`);
  for (let i = 0; i < CONVERSATIONS; i += 1000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(CONVERSATIONS, i + 1000); j++) lines.push(renderConversationLine(conversation(j)));
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

// The child: one checking pass (openTrace), then one replay pass through the feed and one more
// conversation (the feed wraps to the start), sampling the heap as it goes.
const child = `
const [openUrl, feedUrl, file] = process.argv.slice(1);
const { openTrace } = await import(openUrl);
const { ConversationFeed } = await import(feedUrl);
const used = () => process.memoryUsage().heapUsed;
globalThis.gc();
const base = used();
let peak = 0;
let retained = 0;
const sample = (i) => {
  peak = Math.max(peak, used() - base);
  if (i % 50000 === 0) { globalThis.gc(); retained = Math.max(retained, used() - base); }
};
let checked = 0;
const source = await openTrace(file, () => { checked += 1; if (checked % 2000 === 0) sample(checked); });
const feed = new ConversationFeed(source);
const r = { checked, info: source.info, stats: source.stats, replayed: 0, turns: 0, requestBytes: 0, responseBytes: 0, idSum: 0, cycles: [0, 0] };
for (let i = 0; i < source.stats.replayable; i++) {
  const { conversation, cycle } = await feed.next();
  r.cycles[cycle] += 1;
  r.replayed += 1;
  r.idSum += conversation.id;
  for (const t of conversation.turns) { r.turns += 1; r.requestBytes += t.requestBytes; r.responseBytes += t.responseBytes; }
  if (i % 2000 === 0) sample(i);
}
const wrapped = await feed.next();
await feed.close();
globalThis.gc();
retained = Math.max(retained, used() - base);
console.log(JSON.stringify({ ...r, wrapped: { id: wrapped.conversation.id, cycle: wrapped.cycle }, peak, retained }));
`;

test('a 200k-conversation trace larger than the heap is checked and replayed a conversation at a time: exact counts, heap far below the file', async () => {
  const file = join(dir, 'big.json');
  await writeTrace(file);
  const size = statSync(file).size;
  expect(size).toBeGreaterThan(INPUT_MAX_BYTES.trace);
  expect(size).toBeGreaterThan(HEAP_CAP_MIB * 1024 * 1024);
  const url = (path: string): string => new URL(`file://${resolve(path)}`).href;
  const proc = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MIB}`, '--expose-gc', '--input-type=module', '-e', child, url('dist/trace/open-trace.js'), url('dist/workloads/replay-feed.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 50_000);
  const [code] = (await once(proc, 'exit')) as [number | null];
  clearTimeout(timer);
  expect(code, stderr).toBe(0);
  const r = JSON.parse(stdout) as { checked: number; info: { conversations: number; version: number }; stats: { replayable: number; longestUs: number; firstStartUs: number; lastStartUs: number }; replayed: number; turns: number; requestBytes: number; responseBytes: number; idSum: number; cycles: number[]; wrapped: { id: number; cycle: number }; peak: number; retained: number };
  // Exact counts, from the same generator.
  let replayable = 0;
  let turns = 0;
  let requestBytes = 0;
  let responseBytes = 0;
  let idSum = 0;
  for (let i = 0; i < CONVERSATIONS; i++) {
    const c = conversation(i);
    if (c.turns.length === 0) continue;
    replayable += 1;
    idSum += i;
    for (const t of c.turns) {
      turns += 1;
      requestBytes += t.requestBytes;
      responseBytes += t.responseBytes;
    }
  }
  expect(r.checked).toBe(CONVERSATIONS);
  expect(r.info).toMatchObject({ version: 2, conversations: CONVERSATIONS });
  expect(r.stats).toEqual({ replayable, longestUs: 1006, firstStartUs: 0, lastStartUs: (CONVERSATIONS - 2) * 10 });
  expect({ replayed: r.replayed, turns: r.turns, requestBytes: r.requestBytes, responseBytes: r.responseBytes, idSum: r.idSum }).toEqual({ replayed: replayable, turns, requestBytes, responseBytes, idSum });
  // One whole pass, then the feed starts over at the first conversation.
  expect(r.cycles).toEqual([replayable, 0]);
  expect(r.wrapped).toEqual({ id: 0, cycle: 1 });
  // Memory: what stays after a GC is a few lines' worth, and even the peak in use (garbage
  // included) is far below the file.
  expect(r.retained).toBeLessThan(8 * 1024 * 1024);
  expect(r.peak).toBeLessThan(size / 4);
}, 60_000);
