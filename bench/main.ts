// `npm run bench`: runs the suite (bench/suite.ts), prints the table to stdout, progress to
// stderr, and writes bench/results/<UTC stamp>.json. The only bench file that touches process.*.
// Flags: --quick (short windows), --no-calibrate, --rounds N (default 3), --only id1,id2, --out DIR,
// --minutes N (soak length; or HCBENCH_SOAK_MINUTES). Opt-in entries (soak) run only with --only.

import { cpus, loadavg, totalmem, release } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCalibration } from '../src/calibrate/run-calibration.js';
import { runSuite } from './lib/runner.js';
import { renderReportJson, renderTable } from './lib/table.js';
import { createPathLookup } from './lib/tools.js';
import { hasSoakHeapFlags, rerunWithSoakHeap } from './lib/soak-heap.js';
import { suite } from './suite.js';

interface Flags {
  isQuick: boolean;
  shouldCalibrate: boolean;
  rounds: number;
  only: string[] | undefined;
  outDir: string;
  soakMinutes: number | undefined;
}

/** A whole number of minutes in 1..1440, or exit 2 naming where it came from. */
function parseMinutes(text: string | undefined, source: string): number {
  const minutes = Number(text);
  if (text === undefined || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    process.stderr.write(`${source} must be a whole number of minutes in 1..1440, got ${JSON.stringify(text ?? '')}\n`);
    process.exit(2);
  }
  return minutes;
}

function parseFlags(argv: readonly string[]): Flags {
  const envMinutes = process.env['HCBENCH_SOAK_MINUTES'];
  const flags: Flags = {
    isQuick: false,
    shouldCalibrate: true,
    rounds: 3,
    only: undefined,
    outDir: fileURLToPath(new URL('./results', import.meta.url)),
    soakMinutes: envMinutes === undefined || envMinutes === '' ? undefined : parseMinutes(envMinutes, 'HCBENCH_SOAK_MINUTES'),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') flags.isQuick = true;
    else if (arg === '--no-calibrate') flags.shouldCalibrate = false;
    else if (arg === '--rounds') flags.rounds = Math.max(1, Math.min(20, Number(argv[++i] ?? '3') || 3));
    else if (arg === '--only') flags.only = (argv[++i] ?? '').split(',').filter((s) => s !== '');
    else if (arg === '--out') flags.outDir = resolve(argv[++i] ?? '.');
    else if (arg === '--minutes') flags.soakMinutes = parseMinutes(argv[++i], '--minutes');
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench -- [--quick] [--no-calibrate] [--rounds N] [--only id,id] [--out DIR] [--minutes N]\n');
      process.stdout.write(`entries: ${suite.map((e) => e.id).join(', ')} (opt-in, only with --only: ${suite.filter((e) => e.isOptIn === true).map((e) => e.id).join(', ')})\n`);
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${String(arg)}\n`);
      process.exit(2);
    }
  }
  return flags;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const entries = flags.only === undefined ? suite.filter((e) => e.isOptIn !== true) : suite.filter((e) => flags.only?.includes(e.id));
  if (entries.length === 0) throw new Error(`no entry matches --only ${flags.only?.join(',')}; entries: ${suite.map((e) => e.id).join(', ')}`);
  // The soak judges this process's RSS: it runs with the young generation capped (bench/lib/soak-heap.ts).
  if (entries.some((e) => e.id === 'soak') && !hasSoakHeapFlags(process.execArgv)) {
    process.exitCode = await rerunWithSoakHeap();
    return;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const cpuList = cpus();
  // Taken before calibration and the entries: whether the machine was quiet when the run started.
  const loadAverage1m = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  let calibration;
  if (flags.shouldCalibrate) {
    // Full unless the run is --quick: the truth entry checks its agreement with calibrate at 5 ms,
    // and a quick calibrate rests that figure on about 40 relay round trips.
    process.stderr.write(`[calibrate] noise floor and injected-delay accuracy${flags.isQuick ? ' (quick)' : ''}\n`);
    calibration = await runCalibration({ isQuick: flags.isQuick, signal: controller.signal });
  }
  const suiteReport = await runSuite(entries, {
    rounds: flags.rounds,
    isQuick: flags.isQuick,
    log: (line) => process.stderr.write(`${line}\n`),
    findTool: createPathLookup(process.env['PATH'] ?? ''),
    signal: controller.signal,
    ...(flags.soakMinutes === undefined ? {} : { soakMinutes: flags.soakMinutes }),
    ...(calibration === undefined ? {} : { calibration }),
    machine: {
      cpuModel: cpuList[0]?.model ?? 'unknown',
      cpuCount: cpuList.length,
      memoryBytes: totalmem(),
      kernel: release(),
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      loadAverage1m,
    },
  });
  const report = calibration === undefined ? suiteReport : { ...suiteReport, calibration };
  await mkdir(flags.outDir, { recursive: true });
  const file = join(flags.outDir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, renderReportJson(report));
  process.stdout.write(renderTable(report));
  process.stderr.write(`results: ${file}\n`);
  if (report.entries.some((e) => e.status === 'failed')) process.exitCode = 1;
  // 128 + SIGINT, as a shell reports it: the results are partial.
  if (report.interrupted === true) process.exitCode = 130;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
