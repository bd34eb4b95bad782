// Renders a BenchReport as the console table (one row per entry, skipped and pending included)
// and as JSON. Pure: returns strings, never prints.

import { stalls } from '../../src/calibrate/render.js';
import { formatNumber } from './runner.js';
import { formatSpread, ratioCell, SPREAD_LIMIT } from './steadiness.js';
import type { BenchReport, EntryOutcome, SideSummary } from './types.js';

const HEADERS = ['entry', 'hcbench', 'reference', 'ratio', 'spread', 'status'] as const;

/**
 * The suite's table: entry, hcbench figure, reference figure, ratio (hcbench ÷ reference, or
 * "noisy, not quotable" when the spread of the per-round ratios is above 10 %), spread, status.
 */
export function renderTable(report: BenchReport): string {
  const rows: string[][] = report.entries.map((e) => row(e));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [line(HEADERS), line(widths.map((w) => '-'.repeat(w)))];
  for (const r of rows) out.push(line(r));
  out.push('');
  for (const e of report.entries) out.push(...details(e));
  const c = report.calibration;
  if (c !== undefined) {
    const n = c.noiseFloor;
    out.push(
      `noise floor: loopback RTT p50 ${n.loopbackRtt.p50Us} µs / p99 ${n.loopbackRtt.p99Us} µs, idle event-loop delay p99 ${n.eventLoopDelay.p99Us} µs, ` +
        (n.cpuStalls === undefined ? '' : `busy-loop stalls ${stalls(n.cpuStalls)}, `) +
        `resolvable p50 difference ${c.resolution.resolvableDifferenceUs} µs; injected-delay error at 5/20 ms: ` +
        c.delays.filter((d) => d.injectedMs >= 5).map((d) => `${d.mechanism} ${d.injectedMs} ms ${d.errorPercent.toFixed(1)}%`).join(', '),
    );
  }
  out.push(
    `${report.entries.filter((e) => e.status === 'measured').length} measured, ` +
      `${report.entries.filter((e) => e.status === 'skipped').length} skipped, ` +
      `${report.entries.filter((e) => e.status === 'pending').length} pending, ` +
      `${report.entries.filter((e) => e.status === 'failed').length} failed; ` +
      `${report.rounds} rounds (alternating A B / B A), ${(report.durationMs / 1000).toFixed(0)} s${report.isQuick ? ', quick mode' : ''}${report.interrupted === true ? ', interrupted (partial; the README tables skip the entry it cut)' : ''}; ` +
      `spread = (max − min) / median of the per-round ratios, quotable up to ${(SPREAD_LIMIT * 100).toFixed(0)}%`,
  );
  return `${out.join('\n')}\n`;
}

/** The report as pretty JSON with a final newline. */
export function renderReportJson(report: BenchReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function row(e: EntryOutcome): string[] {
  const name = `${e.id} (${e.issue})`;
  switch (e.status) {
    case 'measured':
      return [
        name,
        `${formatNumber(e.hcbench.medianValue)} ${e.unit}`,
        `${formatNumber(e.reference.medianValue)} ${e.unit}`,
        ratioCell(e),
        formatSpread(e.spread),
        `measured${e.interrupted === true ? ', interrupted: partial' : ''} (${e.better} is better)`,
      ];
    case 'skipped':
      return [name, '-', '-', '-', '-', `skipped: ${e.reason}`];
    case 'pending':
      return [name, '-', '-', '-', '-', `pending: ${e.reason}`];
    case 'failed':
      return [name, '-', '-', '-', '-', `failed: ${e.error}`];
  }
}

function details(e: EntryOutcome): string[] {
  const lines = [`${e.id}: ${e.title}`, `  hcbench:   ${e.hcbenchLabel}`, `  reference: ${e.referenceLabel}`];
  if (e.status === 'measured') {
    lines[1] += side(e.hcbench);
    lines[2] += side(e.reference);
  }
  return lines;
}

function side(s: SideSummary): string {
  const parts = Object.entries(s.detail).map(([key, value]) => `${key} ${formatNumber(value)}`);
  const notes = s.notes.length > 0 ? ` [${s.notes.join('; ')}]` : '';
  return parts.length > 0 || notes !== '' ? ` → ${parts.join(', ')}${notes}` : '';
}
