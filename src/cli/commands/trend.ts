// `hcbench trend <results folder or files...>`: one metric across saved runs. Every *.json under
// the folders (bounded depth and count) is read through the checked result reader; a file that
// is not an hcbench result is skipped with a note, never fatal. Runs are grouped by scenario
// fingerprint and ordered by time (analysis/trend.ts); the table goes to stdout (or --json), the
// offline chart to --html. Exit 8 when the newest run of a group regressed against the one before.

import { InvalidArgumentError, type Command } from 'commander';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { buildTrend, trendExpression, type TrendInput } from '../../analysis/trend.js';
import { ExitCode, HarnessError, OutputWriteError, UsageError } from '../../errors.js';
import { writeOutputFile } from '../../fs/write-output.js';
import { renderTrendHtml } from '../../report/trend-html.js';
import { renderTrendText } from '../../report/trend-text.js';
import { ERR_RESULT_INVALID } from '../../report/parse-result.js';
import type { CliIo } from '../io.js';
import { loadResultFile } from '../result-file.js';

interface TrendFlags {
  metric: string;
  since?: number;
  html?: string;
  json?: boolean;
}

/** Most result files read, and how deep folders are searched. */
const MAX_FILES = 2_000;
const MAX_DEPTH = 4;

/** commander parser for `--since`: an ISO date/time, or `<n>d` / `<n>h` before now. */
export function parseSince(value: string, now = Date.now()): number {
  const relativeMatch = /^(\d{1,5})([dh])$/.exec(value);
  if (relativeMatch !== null) return now - Number(relativeMatch[1]) * (relativeMatch[2] === 'd' ? 86_400_000 : 3_600_000);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`must be a date like 2026-11-01 (or 2026-11-01T12:00Z), or 7d / 12h before now, got ${JSON.stringify(value)}`);
  return ms;
}

/** The .json files under `path` (itself when a file), at most MAX_FILES, sorted. */
async function findJsonFiles(path: string, notes: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (found.length >= MAX_FILES) return;
      const full = join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH) await walk(full, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.json')) found.push(full);
    }
  };
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${path}: no such file or folder`, { hint: 'pass the results folder, e.g. hcbench trend results/' });
  if (info.isDirectory()) await walk(path, 0);
  else found.push(path);
  if (found.length >= MAX_FILES) notes.push(`read the first ${MAX_FILES} .json files only`);
  return found;
}

export function registerTrend(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('trend')
    .description('one metric across saved runs: grouped by scenario, ordered by time, regressions flagged')
    .argument('<paths...>', 'results folders (searched for summary.json and other result files) or result files')
    .option('--metric <metric>', 'what to follow, in the threshold grammar (overhead.roundTrip.p50, relay.transaction.p99, direct.errorRate, ...)', 'overhead.roundTrip.p50')
    .option('--since <when>', 'only runs started at or after this date (2026-11-01) or this long ago (7d, 12h)', (v: string) => parseSince(v))
    .option('--html <file>', 'also write an offline HTML chart to this file')
    .option('--json', 'print the trend as JSON instead of the table')
    .action(async (paths: string[], flags: TrendFlags) => {
      const expression = trendExpression(flags.metric);
      if (!expression.ok) throw new UsageError(`--metric: ${expression.message}`);
      const notes: string[] = [];
      const inputs: TrendInput[] = [];
      for (const path of paths) {
        for (const file of await findJsonFiles(resolve(io.cwd, path), notes)) {
          const shown = relative(io.cwd, file) || file;
          try {
            inputs.push({ file: shown, result: await loadResultFile(io.cwd, file) });
          } catch (error) {
            if (!(error instanceof HarnessError) || error.code !== ERR_RESULT_INVALID) throw error;
            const reason = error.message.replace(`${file}: `, '');
            notes.push(`${shown}: skipped (${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason})`);
          }
        }
      }
      const groups = buildTrend(inputs, expression.expression, flags.since === undefined ? {} : { sinceMs: flags.since });
      io.stdout.write(flags.json === true ? `${JSON.stringify({ metric: flags.metric, groups, notes }, null, 2)}\n` : renderTrendText(groups, flags.metric, notes));
      if (flags.html !== undefined) {
        try {
          io.stderr.write(`html: ${await writeOutputFile(io.cwd, flags.html, renderTrendHtml(groups, flags.metric, notes))}\n`);
        } catch (error) {
          if (!(error instanceof OutputWriteError)) throw error;
          throw new OutputWriteError(`${error.message} (the trend is on stdout)`);
        }
      }
      // Exit 8 when the newest run of a group regressed against the one before (a CI gate); older flags are history.
      setExit(groups.some((g) => g.runs.at(-1)?.compare?.verdict === 'regressed') ? ExitCode.Regression : ExitCode.Ok);
    });
}
