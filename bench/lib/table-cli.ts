// `npm run bench:table` (and `npm run bench:truth-table`): reads bench/results/*.json, and writes
// the generated blocks between their markers — the performance table into README.md and
// bench/README.md, the truth table and the calibration block into bench/README.md — so the
// figures quoted there are the newest results', never typed. Every file is checked and rendered before any is written; a bad
// result file or a missing marker changes nothing and exits non-zero with the file's name.

import { readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ExitCode, HarnessError } from '../../src/errors.js';
import { suite } from '../suite.js';
import { replaceBetweenMarkers } from './markers.js';
import { renderPerformanceTable } from './readme-table.js';
import { loadResultFiles, newestPerEntry } from './result-files.js';
import { newestTruth, renderTruthTable } from './truth-block.js';
import { newestCalibration, renderCalibrationBlock } from './calibration-block.js';

/** Largest README accepted, bytes. */
const README_MAX_BYTES = 4 * 1024 * 1024;
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Which blocks a command writes: `all` (bench:table) or only the truth table (bench:truth-table). */
export type TableMode = 'all' | 'truth';

interface Options {
  resultsDir: string;
  resultsLabel: string;
  readme: string;
  benchReadme: string;
  shouldPrint: boolean;
}

function usage(message: string): HarnessError {
  return new HarnessError('ERR_USAGE', ExitCode.Usage, message, {
    hint: 'usage: npm run bench:table -- [--results DIR] [--readme FILE] [--bench-readme FILE] [--print]',
  });
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    resultsDir: `${REPO}bench/results`,
    resultsLabel: 'bench/results',
    readme: `${REPO}README.md`,
    benchReadme: `${REPO}bench/README.md`,
    shouldPrint: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next === '') throw usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--results') options.resultsLabel = options.resultsDir = value();
    else if (arg === '--readme') options.readme = value();
    else if (arg === '--bench-readme') options.benchReadme = value();
    else if (arg === '--print') options.shouldPrint = true;
    else throw usage(`unknown argument ${String(arg)}`);
  }
  return options;
}

async function readReadme(path: string): Promise<string> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new HarnessError('ERR_README', ExitCode.OutputFailed, `${path}: cannot be read (${error.code ?? 'error'})`);
  });
  if (!info.isFile()) throw new HarnessError('ERR_README', ExitCode.OutputFailed, `${path}: not a regular file`);
  if (info.size > README_MAX_BYTES) throw new HarnessError('ERR_README', ExitCode.OutputFailed, `${path}: larger than ${README_MAX_BYTES} bytes`);
  return readFile(path, 'utf8');
}

/** Renders the blocks of `mode` and writes them between their markers (or prints them with --print). Returns the lines to report. */
export async function runTable(argv: readonly string[], mode: TableMode): Promise<string[]> {
  const options = parseArgs(argv);
  const files = await loadResultFiles(options.resultsDir);
  if (files.length === 0) {
    throw new HarnessError('ERR_NO_RESULTS', ExitCode.Usage, `${options.resultsDir}: no result files (*.json)`, { hint: 'run npm run bench first; nothing was changed' });
  }
  const entries = suite.map((e) => ({ id: e.id, issue: e.issue }));
  const picks = newestPerEntry(files, entries.map((e) => e.id));
  const performance = renderPerformanceTable(entries, picks, options.resultsLabel);
  const truth = renderTruthTable(newestTruth(files), options.resultsLabel);
  const calibration = renderCalibrationBlock(newestCalibration(files), options.resultsLabel);
  const blocks: [string, string, string][] = mode === 'all'
    ? [[options.readme, 'bench-table', performance], [options.benchReadme, 'bench-table', performance], [options.benchReadme, 'truth-table', truth], [options.benchReadme, 'calibration', calibration]]
    : [[options.benchReadme, 'truth-table', truth]];
  if (options.shouldPrint) return blocks.filter((b, i) => mode === 'truth' || i !== 1).map(([, name, block]) => `<!-- ${name} -->\n${block}`);
  // Render everything before writing anything: one bad marker leaves every file as it was.
  const texts = new Map<string, { before: string; after: string }>();
  for (const [path, name, block] of blocks) {
    const current = texts.get(path) ?? { before: await readReadme(path), after: '' };
    current.after = replaceBetweenMarkers(current.after === '' ? current.before : current.after, name, block, path);
    texts.set(path, current);
  }
  const report: string[] = [];
  for (const [path, { before, after }] of texts) {
    if (after === before) report.push(`${path}: unchanged`);
    else {
      await writeFile(path, after);
      report.push(`${path}: updated`);
    }
  }
  const used = new Set([...picks.values()].map((p) => p.file.name));
  const truthFile = newestTruth(files)?.file.name;
  if (mode === 'all') report.push(`from ${used.size} of ${files.length} result files; ${entries.length - picks.size} of ${entries.length} entries have no result`);
  report.push(truthFile === undefined ? 'truth table: no result has a measured truth entry' : `truth table from ${truthFile}`);
  if (mode === 'all') {
    const calibrationFile = newestCalibration(files)?.file.name;
    report.push(calibrationFile === undefined ? 'calibration block: no result carries a calibration' : `calibration block from ${calibrationFile}`);
  }
  return report;
}

/** Prints `error[CODE]: message` and its hint (a stack only for an internal error) and sets the exit code. */
export function reportCliError(error: unknown): void {
  if (error instanceof HarnessError) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
    process.exitCode = error.exitCode;
    return;
  }
  process.stderr.write(`error[ERR_INTERNAL]: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = ExitCode.Internal;
}

/** The command's main: prints the report, or the error (reportCliError), and sets the exit code. */
export async function tableMain(mode: TableMode): Promise<void> {
  try {
    const lines = await runTable(process.argv.slice(2), mode);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    reportCliError(error);
  }
}
