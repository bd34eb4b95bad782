// The performance table of README.md and bench/README.md, generated from the suite's result
// files (never typed): one row per suite entry from the newest file that measured it, the ratio
// replaced by "noisy, not quotable" when its spread is above 10 %, and a numbered list of the
// files used with their start time and machine. Pure: returns Markdown.

import { formatNumber } from './runner.js';
import type { EntryPick, ResultFile } from './result-files.js';
import { formatSpread, ratioCell, SPREAD_LIMIT } from './steadiness.js';

/** Text from a result file made safe for one Markdown table cell: no pipes, newlines, HTML or comment markers, at most 160 characters. */
export function cell(value: string): string {
  const flat = value.replace(/\s+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}

/** `2 × AMD EPYC, kernel 6.18, Node v20.20.2, load average 0.42 at start` from a result's machine record. */
export function formatMachine(m: ResultFile['report']['machine']): string {
  const parts = [`${m.cpuCount} × ${cell(m.cpuModel)}`];
  if (m.kernel !== undefined) parts.push(`kernel ${cell(m.kernel)}`);
  parts.push(`Node ${cell(m.node)}`);
  if (m.loadAverage1m !== undefined) parts.push(`load average ${m.loadAverage1m.toFixed(2)} at start`);
  return parts.join(', ');
}

/** The value at `keys` inside `value` (a result file's unchecked part), or undefined where any step is not an object. */
export function fieldAt(value: unknown, ...keys: string[]): unknown {
  let at = value;
  for (const key of keys) at = typeof at === 'object' && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/**
 * `0.4 % of the time, longest 1.50 ms, ideal dispatch-lag p99 0 µs` from a result's calibration;
 * undefined when it has none (--no-calibrate, files before 2026-12-02) or a field is not a number
 * (the file is input).
 */
export function formatStalls(calibration: unknown): string | undefined {
  const [stalledPercent, longestUs, idealLagP99Us] = ['stalledPercent', 'longestUs', 'idealLagP99Us'].map((k) => fieldAt(calibration, 'noiseFloor', 'cpuStalls', k));
  if (typeof stalledPercent !== 'number' || typeof longestUs !== 'number' || typeof idealLagP99Us !== 'number') return undefined;
  return `${stalledPercent} % of the time, longest ${formatNumber(longestUs / 1000)} ms, ideal dispatch-lag p99 ${formatNumber(idealLagP99Us)} µs`;
}

/** `; busy-loop stalls before the entries: …` for a run-list line, or nothing. */
function stallsSuffix(calibration: unknown): string {
  const text = formatStalls(calibration);
  return text === undefined ? '' : `; busy-loop stalls before the entries: ${text}`;
}

/** `2026-11-30 08:01 UTC` from an ISO time stamp. */
function formatStart(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function sideText(side: { medianValue: number; detail: Record<string, number | null> }, unit: string): string {
  const p50 = side.detail['p50Us'];
  const extra = unit !== 'µs' && typeof p50 === 'number' ? `, p50 ${formatNumber(p50)} µs` : '';
  return `${formatNumber(side.medianValue)} ${cell(unit)}${extra}`;
}

/** A suite entry as the table lists it. */
export interface TableEntry {
  id: string;
  issue: string;
}

/**
 * The Markdown block: a table with one row per entry of `entries` (in their order) and the list of
 * result files its rows come from. `resultsLabel` is the folder as shown (e.g. `bench/results`).
 */
export function renderPerformanceTable(entries: readonly TableEntry[], picks: ReadonlyMap<string, EntryPick>, resultsLabel: string): string {
  const runs: ResultFile[] = [];
  const runNumber = (file: ResultFile): number => {
    if (!runs.includes(file)) runs.push(file);
    return runs.indexOf(file) + 1;
  };
  const lines = [
    '| entry | hcbench | reference (same run) | ratio | spread | rounds | better | run |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { id, issue } of entries) {
    const pick = picks.get(id);
    const name = `\`${id}\` (${cell(pick?.entry.issue ?? issue)})`;
    if (pick === undefined) {
      lines.push(`| ${name} | no result in \`${resultsLabel}\` | – | – | – | – | – | – |`);
      continue;
    }
    const e = pick.entry;
    const run = `[${runNumber(pick.file)}]`;
    if (e.status === 'measured') {
      const steadiness = e.steadiness ?? 'unknown';
      const rounds = new Set(e.rounds.map((r) => r.round)).size;
      lines.push(
        `| ${name} | ${sideText(e.hcbench, e.unit)} | ${sideText(e.reference, e.unit)} | ${cell(ratioCell({ ...e, steadiness }))} | ` +
          `${formatSpread(e.spread)} | ${rounds} | ${e.better} | ${run} |`,
      );
    } else if (e.status === 'failed') {
      lines.push(`| ${name} | failed: ${cell(e.error)} | – | – | – | – | – | ${run} |`);
    }
  }
  lines.push(
    '',
    `ratio = hcbench ÷ reference (medians over the rounds); spread = (max − min) / median of the per-round ratios. ` +
      `A ratio whose spread is above ${(SPREAD_LIMIT * 100).toFixed(0)} % is not quoted ("noisy, not quotable"); with one round there is no spread.`,
    '',
    'Runs (each row comes from the newest result file that measured its entry):',
    '',
  );
  runs.forEach((file, index) => {
    const r = file.report;
    lines.push(
      `${index + 1}. \`${cell(`${resultsLabel}/${file.name}`)}\`: started ${formatStart(r.startedAt)}` +
        `${r.isQuick ? ', quick mode (short windows)' : ''}; ${formatMachine(r.machine)}${stallsSuffix(r.calibration)}.`,
    );
  });
  if (runs.length === 0) lines.push(`(none: \`${resultsLabel}\` holds no measured entry; run \`npm run bench\`)`);
  return lines.join('\n');
}
