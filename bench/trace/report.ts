// Summarises a bench/trace/preload.mjs capture: for every cross-process hand-off (a write in one
// process matched with the read of the same bytes in another), the latency from write to read,
// split by how long the reading process had been idle before (hot: < 0.3 ms, idle: > 1 ms). This
// is how issue #12's cause was found: hand-offs into idle processes took 60–300 µs, hot ones ~12.
// Usage: npx tsx bench/trace/report.ts <trace dir>

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Row {
  t: number;
  pid: string;
  kind: string;
  local: string;
  remote: string;
}

const MAX_FILE_BYTES = 512 * 1024 * 1024;

function load(dir: string): Row[] {
  const rows: Row[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    const file = join(dir, name);
    if (!statSync(file).isFile() || statSync(file).size > MAX_FILE_BYTES) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [t, pid, kind, local, remote] = line.split(' ');
      if (t === undefined || pid === undefined || kind === undefined || local === undefined || remote === undefined) continue;
      rows.push({ t: Number(t), pid, kind, local, remote });
    }
  }
  return rows.sort((a, b) => a.t - b.t);
}

function pct(sorted: readonly number[], q: number): string {
  if (sorted.length === 0) return '-';
  return String(Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0));
}

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: npx tsx bench/trace/report.ts <trace dir>\n');
  process.exit(2);
}
const pending = new Map<string, { t: number; pid: string }[]>();
const lastEvent = new Map<string, number>();
const handOffs = new Map<string, { latencyUs: number; idleUs: number }[]>();
for (const row of load(dir)) {
  if (row.kind === 'wr') {
    const key = `${row.remote}>${row.local}`;
    pending.set(key, [...(pending.get(key) ?? []), { t: row.t, pid: row.pid }]);
  } else if (row.kind === 'rd') {
    // A read takes every write to it made so far (writes may coalesce); the last one completes it.
    const queue = pending.get(`${row.local}>${row.remote}`) ?? [];
    let write: { t: number; pid: string } | undefined;
    while (queue.length > 0 && (queue[0]?.t ?? Infinity) <= row.t) write = queue.shift();
    if (write !== undefined && write.pid !== row.pid) {
      const key = `${write.pid} → ${row.pid}`;
      const idleUs = row.t - (lastEvent.get(row.pid) ?? row.t);
      handOffs.set(key, [...(handOffs.get(key) ?? []), { latencyUs: row.t - write.t, idleUs }]);
    }
  }
  lastEvent.set(row.pid, row.t);
}
process.stdout.write('writer → reader pid        n   p50 µs  p90 µs   hot n  hot p50   idle>1ms n  idle p50  idle p90\n');
for (const [key, list] of handOffs) {
  const all = list.map((h) => h.latencyUs).sort((a, b) => a - b);
  const hot = list.filter((h) => h.idleUs < 300).map((h) => h.latencyUs).sort((a, b) => a - b);
  const idle = list.filter((h) => h.idleUs > 1000).map((h) => h.latencyUs).sort((a, b) => a - b);
  process.stdout.write(
    `${key.padEnd(22)} ${String(all.length).padStart(6)} ${pct(all, 0.5).padStart(8)} ${pct(all, 0.9).padStart(7)} ${String(hot.length).padStart(7)} ${pct(hot, 0.5).padStart(8)} ${String(idle.length).padStart(12)} ${pct(idle, 0.5).padStart(9)} ${pct(idle, 0.9).padStart(9)}\n`,
  );
}
