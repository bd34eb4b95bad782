// The `truth` entry's Markdown block for bench/README.md (between the truth-table markers): one
// row per built-in profile with distance, then calibrate's agreement and the keep-hot A/B (keep-warm in older results).
// Pure: takes a checked result file, returns text.

import type { ResultFile } from './result-files.js';
import { cell, formatMachine } from './readme-table.js';

const PROFILES = ['same-region', 'cross-region', 'distant-site'] as const;

const rounded = (value: number): string => Math.abs(Math.round(value)).toLocaleString('en-US');
const us = (value: number | null | undefined): string => (value == null ? '–' : `${Math.round(value) >= 0 ? '' : '−'}${rounded(value)} µs`);
const signed = (value: number | null | undefined): string => (value == null ? '–' : `${value >= 0 ? '+' : '−'}${rounded(value)} µs`);

/** ` (keep-hot off: load X at start)` when the profile was measured on a busy machine (results before 2026-12-01 do not say). */
function keepHotOff(d: Record<string, number | null>, p: string): string {
  return d[`${p}.keepHotAllowed`] === 0 ? ` (keep-hot off: load ${d[`${p}.loadAtStart`] ?? '?'} at start)` : '';
}

/** The hcbench side's detail of the newest file's measured, whole `truth` entry, with that file; undefined when none has one. */
export function newestTruth(newestFirst: readonly ResultFile[]): { file: ResultFile; detail: Record<string, number | null> } | undefined {
  for (const file of newestFirst) {
    const e = file.report.entries.find((x) => x.id === 'truth');
    if (e?.status !== 'measured' || e.interrupted === true) continue;
    const detail = e.rounds.find((r) => r.side === 'hcbench')?.figure.detail;
    if (detail !== undefined) return { file, detail };
  }
  return undefined;
}

/** The Markdown block: source line, one row per profile, then calibrate's agreement and the keep-hot A/B (keep-warm in older results). */
export function renderTruthTable(found: ReturnType<typeof newestTruth>, resultsLabel: string): string {
  if (found === undefined) return `No result in \`${resultsLabel}\` has a measured \`truth\` entry yet: run \`npm run bench -- --only truth\`, then \`npm run bench:table\`.`;
  const { file, detail: d } = found;
  const lines = [
    `From \`${cell(`${resultsLabel}/${file.name}`)}\` (started ${cell(file.report.startedAt)}; ${formatMachine(file.report.machine)}).`,
    '',
    '| profile | relay − direct | machinery (zero distance) | delta error (bound ±100 µs) | direct excess over RTT (bound +100 µs) | error per traversal: relay / direct | release lateness mean: relay / direct | verdict |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const p of PROFILES) {
    lines.push(
      `| ${p} | ${us(d[`${p}.deltaUs`])} | ${us(d[`${p}.machineryUs`])} | ${signed(d[`${p}.deltaErrorUs`])} | ${signed(d[`${p}.directExcessUs`])} | ` +
        `${signed(d[`${p}.relayErrorPerTraversalUs`])} / ${signed(d[`${p}.directErrorPerTraversalUs`])} | ` +
        `${us(d[`${p}.relayReleaseLatenessMeanUs`])} / ${us(d[`${p}.directReleaseLatenessMeanUs`])} | ${d[`${p}.passed`] === 1 ? 'PASS' : 'FAIL'}${keepHotOff(d, p)} |`,
    );
  }
  lines.push(
    '',
    `Profiles passing: ${d['profilesPassed'] ?? 0} of ${PROFILES.length}. calibrate agrees with the same-region row within 50 µs per traversal: ${d['calibrateAgrees'] === 1 ? 'yes' : 'no'}. ` +
      (d['keepHotOff.deltaErrorUs'] !== undefined
        ? `Keep-hot A/B (same-region with HCBENCH_KEEP_HOT=0, the emulation before the fix): delta error ${signed(d['keepHotOff.deltaErrorUs'])}, direct excess ${signed(d['keepHotOff.directExcessUs'])}.`
        : `Keep-warm A/B (SCHED_IDLE spinner per CPU, same-region): delta error ${signed(d['keepWarm.deltaErrorUs'])}, direct excess ${signed(d['keepWarm.directExcessUs'])}.`),
  );
  return lines.join('\n');
}
