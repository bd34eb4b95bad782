// `npm run bench:soak-section`: writes the `soak` entry of the newest bench result that has one
// into bench/README.md between the `soak` markers: criteria as printed, growth per process, the
// accounting and the bench process's heap, so the soak figures quoted there are always a run's,
// generated, never typed. `--print` writes the block to stdout instead.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Criterion } from './lib/soak-criteria.js';
import type { Growth } from './lib/process-samples.js';
import { ERR_RESULT_INVALID, loadResultFiles } from './lib/result-files.js';
import { ExitCode, HarnessError } from '../src/errors.js';
import { replaceBetweenMarkers } from './lib/markers.js';
import { reportCliError } from './lib/table-cli.js';

const BENCH_DIR = new URL('.', import.meta.url).pathname;
const RESULTS_DIR = join(BENCH_DIR, 'results');
const README = join(BENCH_DIR, 'README.md');

/** The parts of a bench result file the soak section reads. */
export interface SoakBenchResult {
  startedAt: string;
  finishedAt?: string;
  machine: { cpuModel: string; cpuCount: number; kernel: string; node: string };
  entries: { id: string; interrupted?: true; rounds: { side: string; figure?: { value?: number; detail?: Record<string, number>; data?: SoakData } }[] }[];
}

interface SoakData {
  criteria?: Criterion[];
  growth?: Growth[];
  appV8Flags?: string[];
}

/**
 * The newest result file with a measured soak entry that ran to its end (an interrupted soak holds
 * only its first steps); every file is checked first (bench/lib/result-files.ts: type, size, shape).
 */
async function newestSoak(): Promise<{ file: string; result: SoakBenchResult }> {
  for (const file of await loadResultFiles(RESULTS_DIR)) {
    const result = file.report as unknown as SoakBenchResult;
    if (soakFigure(result)?.data?.criteria !== undefined) return { file: file.name, result };
  }
  throw new HarnessError(ERR_RESULT_INVALID, ExitCode.Usage, `${RESULTS_DIR}: no result with a measured soak entry`, { hint: 'run npm run bench -- --only soak' });
}

function soakFigure(result: SoakBenchResult): { value?: number; detail?: Record<string, number>; data?: SoakData } | undefined {
  return result.entries?.find((e) => e.id === 'soak' && e.interrupted !== true)?.rounds.find((r) => r.side === 'hcbench')?.figure;
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'n/a');

/** The RSS column's header, from the recorded growth (results before the 90th percentile judged one-minute medians). */
function rssLabel(growth: readonly Growth[]): string {
  const rss = growth.find((g) => g.figure === 'rssBytes');
  const minutes = `${(((rss?.windowMs ?? 60_000) / 60_000)).toFixed(1).replace(/\.0$/, '')} min`;
  return rss?.statistic === 'median' ? 'RSS (median), first minute after warm-up → last' : `RSS (90th percentile), first ${minutes} after warm-up → last ${minutes}`;
}

/** The Markdown block of one soak run. */
export function renderSoakSection(file: string, result: SoakBenchResult): string {
  const figure = soakFigure(result);
  const d = figure?.detail ?? {};
  const criteria = figure?.data?.criteria ?? [];
  const growth = figure?.data?.growth ?? [];
  const m = result.machine;
  const minutes = d['minutes'] ?? 0;
  const stepS = (d['stepMs'] ?? 60_000) / 1000;
  const flags = figure?.data?.appV8Flags ?? [];
  const lines = [
    `From \`bench/results/${file}\`: ${minutes} minutes in ${d['steps'] ?? 0} steps of ${stepS} s, warm-up ${d['warmupMinutes'] ?? '?'} min ` +
      `(started ${result.startedAt}${result.finishedAt === undefined ? '' : `, finished ${result.finishedAt}`}; ${m.cpuCount} × ${m.cpuModel}, kernel ${m.kernel}, Node ${m.node}). ` +
      `The bench process ("app") ran with ${flags.length > 0 ? flags.map((f) => `\`${f}\``).join(' ') : 'no heap flags'}.`,
    '',
    `**${criteria.filter((c) => c.isPassed).length} of ${criteria.length} criteria passed.**`,
    '',
    '```',
    ...criteria.map((c) => `${c.isPassed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
    '```',
    '',
    `| process | ${rssLabel(growth)} | open fds (floor) |`,
    '|---|---|---|',
  ];
  for (const role of [...new Set(growth.map((g) => g.role))]) {
    const rss = growth.find((g) => g.role === role && g.figure === 'rssBytes');
    const fds = growth.find((g) => g.role === role && g.figure === 'fds');
    lines.push(
      `| ${role} | ${rss === undefined ? '–' : `${mib(rss.baseline)} → ${mib(rss.last)} (${pct(rss.growth)})`} | ${fds === undefined ? '–' : `${fds.baseline} → ${fds.last} (${pct(fds.growth)})`} |`,
    );
  }
  lines.push(
    '',
    `Transactions: sent ${d['sent'] ?? 0}, completed ${d['completed'] ?? 0}, errors ${d['errors'] ?? 0}, in flight at the end ${d['inFlightAtEnd'] ?? 0}, ` +
      `arrivals dropped unsent ${d['dropped'] ?? 0}. Bench process heap at the end: ${d['app_heapUsedMiB_end'] ?? '–'} MiB used, new space ${d['app_newSpaceMiB_end'] ?? '–'} MiB.`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { file, result } = await newestSoak();
  const block = renderSoakSection(file, result);
  if (process.argv.includes('--print')) {
    process.stdout.write(`${block}\n`);
    return;
  }
  const readme = await readFile(README, 'utf8');
  await writeFile(README, replaceBetweenMarkers(readme, 'soak', block, README));
  process.stdout.write(`bench/README.md: soak section from ${file}\n`);
}

/** Runs `main`; a refused result or README prints `error[CODE]: message` and its hint, no stack (reportCliError). */
async function runMain(): Promise<void> {
  try {
    await main();
  } catch (error) {
    reportCliError(error);
  }
}

if (process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1]) await runMain();
