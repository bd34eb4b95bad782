// `hcbench run <scenario>`: validate, build the plan, run it on every path, write the results and
// print the comparison. Progress and logs go to stderr; the table (or --json) to stdout.

import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
import { ExitCode } from '../../errors.js';
import { buildPlan } from '../../plan/build-plan.js';
import { renderConsole } from '../../report/console.js';
import { renderJson } from '../../report/json.js';
import { runPlan, type RunProgress } from '../../run/run-plan.js';
import { createRunFolder, writeFileAtomic } from '../../run/write-results.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { formatRate, formatUs } from '../../report/format.js';
import type { CliIo } from '../io.js';

interface RunFlags {
  json?: boolean;
  durationMs?: number;
  warmupMs?: number;
  repetitions?: number;
  resultsDir: string;
  save: boolean;
  verbose?: boolean;
}

/** commander argument parser for non-negative integer milliseconds. */
export function parseMs(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`must be a whole number of milliseconds, got ${JSON.stringify(value)}`);
  const ms = Number(value);
  if (ms > 86_400_000) throw new InvalidArgumentError(`must be at most 86400000 (24 h), got ${value}`);
  return ms;
}

/** commander argument parser for a count from 1 to 100. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) throw new InvalidArgumentError(`must be a whole number from 1 to 100, got ${JSON.stringify(value)}`);
  return n;
}

export function registerRun(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('run')
    .description('run a scenario on every path it names and compare them')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--json', 'print the result JSON to stdout instead of the table')
    .option('--duration-ms <ms>', 'override every step\'s measured duration', parseMs)
    .option('--warmup-ms <ms>', 'override every step\'s warm-up', parseMs)
    .option('--repetitions <n>', 'override the scenario\'s repetitions', parseCount)
    .option('--results-dir <dir>', 'where run folders are written', 'results')
    .option('--no-save', 'do not write result files')
    .action(async (file: string, flags: RunFlags) => {
      const scenario = await loadScenarioFile(file);
      const plan = buildPlan(scenario, {
        ...(flags.durationMs === undefined ? {} : { durationMs: flags.durationMs }),
        ...(flags.warmupMs === undefined ? {} : { warmupMs: flags.warmupMs }),
        ...(flags.repetitions === undefined ? {} : { repetitions: flags.repetitions }),
      });
      const secrets = Object.fromEntries(
        plan.paths.flatMap((path) => (path.kind === 'relay-azure' ? [[path.connectionStringEnv, io.env[path.connectionStringEnv]]] : [])),
      ) as Record<string, string | undefined>;
      const isVerbose = program.opts<{ verbose?: boolean }>().verbose === true;
      const result = await runPlan(plan, {
        scenario,
        scenarioFile: file,
        signal: io.signal,
        secrets,
        onProgress: (event) => printProgress(io, event, isVerbose),
      });
      if (flags.save) {
        const folder = await createRunFolder(resolve(io.cwd, flags.resultsDir), scenario.name, Date.parse(result.startedAt));
        const written = await writeFileAtomic(folder, 'summary.json', renderJson(result));
        io.stderr.write(`results: ${written}\n`);
      }
      io.stdout.write(flags.json === true ? renderJson(result) : renderConsole(result));
      setExit(result.status === 'aborted' ? ExitCode.Interrupted : result.status === 'failed' ? ExitCode.RunFailed : ExitCode.Ok);
    });
}

function printProgress(io: CliIo, event: RunProgress, isVerbose: boolean): void {
  switch (event.type) {
    case 'setup':
      io.stderr.write(`${event.message}\n`);
      break;
    case 'step-start':
      io.stderr.write(
        `[${event.index + 1}/${event.total}] ${event.stepId}: warm-up ${(event.warmupMs / 1000).toFixed(1)} s, measuring ${(event.durationMs / 1000).toFixed(1)} s\n`,
      );
      break;
    case 'step-end': {
      const r = event.result;
      if (r.status === 'failed') io.stderr.write(`    failed: ${r.error.message}\n`);
      else {
        const h = r.metrics.histograms.roundTrip.summary;
        io.stderr.write(`    ${formatRate(r.metrics.roundTripsPerSec)} round trips, p50 ${formatUs(h.p50Us)}, p99 ${formatUs(h.p99Us)}\n`);
      }
      break;
    }
    case 'log':
      if (isVerbose) io.stderr.write(`${event.line}\n`);
      break;
  }
}
