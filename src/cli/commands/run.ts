// `hcbench run <scenario>`: validate, build the plan, run it on every path, write the results and
// print the comparison. Progress and logs go to stderr; the table (or --json) to stdout. The
// result folder gets a checkpoint after every step, so Ctrl-C or a crash leaves a valid result.

import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
import { ExitCode, OutputWriteError, UsageError } from '../../errors.js';
import { readConnectionStringEnv } from '../../azure/connection-source.js';
import type { RemoteWriteRecord, RunResult } from '../../metrics/result.js';
import { buildPlan } from '../../plan/build-plan.js';
import { REPORT_FILE_NAMES, renderReport, type ReportFormat } from '../../report/index.js';
import { runPlan, TARGET_UNREACHABLE_CODE } from '../../run/run-plan.js';
import { createRunFolder, writeFileAtomic } from '../../run/write-results.js';
import { loadScenarioFile } from '../../scenario/load.js';
import type { CliIo } from '../io.js';
import { createProgressPrinter } from '../progress.js';
import { evaluateThresholds, thresholdsPassed } from '../../analysis/thresholds.js';
import { invalidRunReasons } from '../../analysis/run-validity.js';
import { checkRelayLimits } from '../../capacity/limit-warnings.js';
import { renderJUnit, thresholdSuite } from '../../report/junit.js';
import { renderThresholdsMarkdown, renderThresholdsText } from '../../report/threshold-text.js';
import { type RunOutput, writeRunOutputs } from '../run-outputs.js';
import { readCalibration } from '../../calibrate/read-calibration.js';
import { withCalibration } from '../../analysis/emulation-error.js';
import { bounded, interruptBudget } from '../../bounded.js';
import { plannedNetworkLines } from '../network-lines.js';
import { plannedResolveLines } from '../resolve-flags.js';
import { rehearsePlan } from '../rehearse-plan.js';
import { gitCommitOf } from '../git-commit.js';
import { createLiveExport, parseOut, parseTag, remoteWriteLine, reservedLabelProblem } from '../live-export.js';
import { parseClockAddress, parseShard, parseStartAt, setupShard, type ShardFlags } from '../shard-run.js';

/** Longest wait for one result file to be written, ms (after Ctrl-C the interrupt budget is shorter). */
export const WRITE_TIMEOUT_MS = 30_000;

interface RunFlags extends ShardFlags {
  json?: boolean;
  durationMs?: number;
  warmupMs?: number;
  repetitions?: number;
  targetAddress?: string;
  resultsDir: string;
  save: boolean;
  junit?: string;
  md?: string;
  calibration?: string;
  out?: string;
  tag?: Record<string, string>;
  rehearse?: boolean;
}

/** commander argument parser for non-negative integer milliseconds. */
export function parseMs(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`must be a whole number of milliseconds, got ${JSON.stringify(value)}`);
  const ms = Number(value);
  if (ms > 86_400_000) throw new InvalidArgumentError(`must be at most 86400000 (24 h), got ${value}`);
  return ms;
}

/** commander argument parser for whole milliseconds >= 1 (a measured window must be able to measure). */
export function parsePositiveMs(value: string): number {
  const ms = parseMs(value);
  if (ms < 1) throw new InvalidArgumentError(`must be at least 1 ms (a measured window of 0 ms measures nothing), got ${value}`);
  return ms;
}

/** commander argument parser for a count from 1 to 100. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) throw new InvalidArgumentError(`must be a whole number from 1 to 100, got ${JSON.stringify(value)}`);
  return n;
}

/** commander argument parser for `host:port`. */
export function parseAddress(value: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(value)) throw new InvalidArgumentError(`must be host:port, got ${JSON.stringify(value)}`);
  return value;
}

export function registerRun(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('run')
    .description('run a scenario on every path it names and compare them')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--json', 'print the result JSON to stdout instead of the table')
    .option('--duration-ms <ms>', "override every step's measured duration", parseMs)
    .option('--warmup-ms <ms>', "override every step's warm-up", parseMs)
    .option('--repetitions <n>', "override the scenario's repetitions", parseCount)
    .option('--target-address <host:port>', 'override the address of an external target', parseAddress)
    .option('--results-dir <dir>', 'where run folders are written', 'results')
    .option('--no-save', 'do not write result files')
    .option('--junit <file>', 'also write the threshold verdicts as JUnit XML to this file')
    .option('--md <file>', 'also write the Markdown summary with threshold verdicts to this file (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--calibration <file>', 'attach figures saved by `hcbench calibrate --save <file>` to the result\'s environment')
    .option('--out <prometheus-rw=URL>', 'send live metrics every interval to a Prometheus remote-write receiver', parseOut)
    .option('--tag <name=value>', 'an extra label on every live series (repeatable)', parseTag)
    .option('--rehearse', "dress rehearsal, not Azure: run every relay-azure path against the emulator answering as its connection string's namespace (only the host and EntityPath are read)")
    .option('--shard <I/N>', 'run slice I of N of every step (connections and rates divided; `hcbench merge` adds the shards up)', parseShard)
    .option('--start-at <ISO-8601>', "start the first step's measured window at this instant (warm-up before it), so shards line up", parseStartAt)
    .option('--clock-serve <host:port>', 'serve the reference clock the other shards measure their offset against', parseClockAddress)
    .option('--clock-ref <host:port>', "measure this shard's clock offset against a shard's --clock-serve", parseClockAddress)
    .action(async (file: string, flags: RunFlags) => {
      const loaded = await loadScenarioFile(file, {
        ...(flags.durationMs === undefined ? {} : { durationMs: flags.durationMs }),
        ...(flags.warmupMs === undefined ? {} : { warmupMs: flags.warmupMs }),
        ...(flags.repetitions === undefined ? {} : { repetitions: flags.repetitions }),
      });
      const calibration = flags.calibration === undefined ? undefined : await readCalibration(resolve(io.cwd, flags.calibration));
      if (flags.targetAddress !== undefined && loaded.target.kind !== 'external') {
        throw new UsageError(`--target-address only applies to an external target; ${file} uses target.kind ${loaded.target.kind}`);
      }
      const scenario =
        flags.targetAddress === undefined || loaded.target.kind !== 'external'
          ? loaded
          : { ...loaded, target: { ...loaded.target, address: flags.targetAddress } };
      for (const name of Object.keys(scenario.output.tags ?? {})) {
        const problem = reservedLabelProblem(name);
        if (problem !== undefined) throw new UsageError(`${file}: output.tags.${name}: ${problem}`);
      }
      const built = buildPlan(scenario, {
        ...(flags.durationMs === undefined ? {} : { durationMs: flags.durationMs }),
        ...(flags.warmupMs === undefined ? {} : { warmupMs: flags.warmupMs }),
        ...(flags.repetitions === undefined ? {} : { repetitions: flags.repetitions }),
      });
      const shard = await setupShard(
        flags.rehearse === true ? rehearsePlan(built, io.env, (line) => io.stderr.write(`${line}\n`)) : built,
        flags,
        io.signal,
        (line) => io.stderr.write(`${line}\n`),
      );
      const plan = shard.plan;
      for (const line of plannedNetworkLines(plan)) io.stderr.write(`${line}\n`);
      for (const line of plannedResolveLines(plan)) io.stderr.write(`${line}\n`);
      // Before any socket opens: say where documented Azure limits would bite.
      for (const warning of checkRelayLimits(scenario)) io.stderr.write(`warning: ${warning}\n`);
      const secrets = Object.fromEntries(
        plan.paths.flatMap((path) =>
          path.kind === 'relay-azure' && path.rehearsal === undefined
            ? [[path.connectionStringEnv, readConnectionStringEnv(path.connectionStringEnv, io.env, (note) => io.stderr.write(`warning: ${note}\n`))]]
            : [],
        ),
      ) as Record<string, string | undefined>;
      const folder = flags.save ? await createRunFolder(resolve(io.cwd, flags.resultsDir), scenario.name, Date.now()) : undefined;
      const progress = createProgressPrinter(io, { isVerbose: program.opts<{ verbose?: boolean }>().verbose === true });
      const remoteWriteUrl = flags.out ?? scenario.output.prometheusRemoteWrite;
      const live = remoteWriteUrl === undefined ? undefined : createLiveExport(remoteWriteUrl, { scenario: scenario.name, plan, tags: { ...scenario.output.tags, ...flags.tag } });
      let result: RunResult;
      let isCheckpointFailed = false;
      let remoteWrite: RemoteWriteRecord | undefined;
      // After Ctrl-C: the step drains, then counters, teardown and these writes share 2 s.
      const budget = interruptBudget(io.signal);
      const write = <T,>(work: Promise<T>, what: string): Promise<T> =>
        bounded(work, { what: `writing ${what}`, signal: budget.signal, timeoutMs: WRITE_TIMEOUT_MS });
      try {
        result = await runPlan(plan, {
          scenario,
          scenarioFile: file,
          signal: io.signal,
          budget,
          secrets,
          ...(shard.runStartNs === undefined ? {} : { runStartNs: shard.runStartNs }),
          ...(shard.windowStarts === undefined ? {} : { windowStarts: shard.windowStarts }),
          onProgress: (event) => {
            progress.onProgress(event);
            live?.onProgress(event);
          },
          onCheckpoint: async (partial) => {
            live?.onCheckpoint(partial);
            if (folder === undefined || isCheckpointFailed) return;
            try {
              await writeFileAtomic(folder, REPORT_FILE_NAMES.json, renderReport('json', partial));
            } catch (error) {
              // A full disk must not stop the measurement: say so once; the final write tries again and falls back.
              if (!(error instanceof OutputWriteError)) throw error;
              isCheckpointFailed = true;
              io.stderr.write(`warning: checkpoint not saved: ${error.message}\n`);
            }
          },
        });
      } finally {
        await shard.close();
        progress.close();
        // A run that throws still stops the writer (bounded), so no request outlives the command.
        if (live !== undefined) remoteWrite = await live.finish();
      }
      result = shard.stamp(result);
      if (remoteWrite !== undefined) {
        result = { ...result, remoteWrite };
        io.stderr.write(remoteWriteLine(remoteWrite));
      }
      // Skipped after Ctrl-C: the interrupt budget is for writing the results.
      const git = io.signal.aborted ? undefined : await gitCommitOf(io.cwd);
      if (git !== undefined) result = { ...result, environment: { ...result.environment, ...git } };
      if (calibration !== undefined) {
        result = {
          ...result,
          environment: { ...result.environment, calibration },
          ...(result.emulation === undefined ? {} : { emulation: withCalibration(result.emulation, calibration) }),
        };
      }
      // Thresholds and validity are judged after the run; results are always written first.
      // A shard measured a slice of the load: its thresholds are judged on the merged result (`hcbench merge`).
      const isSlice = (flags.shard?.count ?? 1) > 1;
      if (isSlice && scenario.thresholds !== undefined) io.stderr.write('thresholds: not judged on one shard; `hcbench merge` judges them on the merged result\n');
      const verdicts = scenario.thresholds === undefined || isSlice ? undefined : evaluateThresholds(result, scenario.thresholds);
      if (verdicts !== undefined) result = { ...result, thresholds: verdicts };
      const resultJson = renderReport('json', result);
      const outputs: RunOutput[] = [];
      if (folder !== undefined) {
        io.stderr.write(`writing results to ${folder}\n`);
        const formats = new Set<ReportFormat>(['json', ...scenario.output.formats]);
        for (const format of formats) outputs.push({ folder, name: REPORT_FILE_NAMES[format], text: format === 'json' ? resultJson : renderReport(format, result) });
      }
      if (flags.junit !== undefined) outputs.push({ path: flags.junit, label: 'junit', text: renderJUnit([thresholdSuite(verdicts ?? [], scenario.name, result.startedAt)]) });
      if (flags.md !== undefined) outputs.push({ path: flags.md, label: 'markdown', text: `${renderReport('md', result)}\n${renderThresholdsMarkdown(verdicts ?? [])}` });
      const failures = await writeRunOutputs(io, outputs, resultJson, flags.json === true, write);
      io.stdout.write(flags.json === true ? resultJson : renderReport('console', result, { isTTY: io.stdout.isTTY === true }));
      const invalid = invalidRunReasons(result, scenario.thresholds ?? []);
      (flags.json === true ? io.stderr : io.stdout).write(renderThresholdsText(verdicts ?? []) + invalid.map((r) => `invalid run: ${r}\n`).join(''));
      if (failures.length > 0) {
        throw new OutputWriteError(`the run finished but ${failures.length} output${failures.length === 1 ? '' : 's'} could not be written (see above)`, {
          hint: 'check the path, its permissions and free space; the measured result was saved or printed as shown above',
        });
      }
      // Ctrl-C after the last step (while writing): everything is written, and the shell hears 130.
      setExit(
        result.status === 'aborted' || io.signal.aborted
          ? ExitCode.Interrupted
          : result.status === 'failed'
            ? result.steps.some((s) => s.status === 'failed' && s.error.code === TARGET_UNREACHABLE_CODE)
              ? ExitCode.TargetUnreachable
              : ExitCode.RunFailed
            : invalid.length > 0
              ? ExitCode.InvalidRun
              : verdicts !== undefined && !thresholdsPassed(verdicts)
                ? ExitCode.ThresholdsFailed
                : ExitCode.Ok,
      );
    });
}
