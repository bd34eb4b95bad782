// `hcbench capacity <scenario>`: the highest open-model rate each path sustains inside an SLO,
// with the latency-vs-rate curve and its knee, relay usage and limit warnings. Console to stdout
// (or --json), progress to stderr, the report JSON written with --out <file>, live metrics of every
// probe with --out prometheus-rw=URL (labels `probe` and `offered_rate` tell the probes apart).

import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
import { renderCapacityText } from '../../capacity/render-text.js';
import { searchCapacity } from '../../capacity/search.js';
import type { CapacityReport } from '../../capacity/types.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { RemoteWriteRecord } from '../../metrics/result.js';
import type { Scenario } from '../../scenario/schema.js';
import { writeOutputFile } from '../../fs/write-output.js';
import { buildPlan } from '../../plan/build-plan.js';
import { loadScenarioFile } from '../../scenario/load.js';
import type { CliIo } from '../io.js';
import { createLiveExport, parseOut, parseTag, remoteWriteLine, reservedLabelProblem, type LiveExport } from '../live-export.js';
import { parseMs, parsePositiveMs } from './run.js';

interface CapacityFlags {
  sloP99Ms: number;
  sloErrorRate: number;
  sloDroppedRate: number;
  startRate?: number;
  stepFactor: number;
  resolution: number;
  maxRate: number;
  maxProbes: number;
  durationMs: number;
  warmupMs: number;
  path?: string[];
  connections?: number[];
  rateSearch: boolean;
  pricePerListenerHour?: number;
  pricePerGb?: number;
  json?: boolean;
  out?: CapacityOuts;
  tag?: Record<string, string>;
}

/** Where `--out` sends things: the report JSON to a file, live metrics to a remote-write URL. */
interface CapacityOuts {
  file?: string;
  remoteWrite?: string;
}

/** commander parser for a repeated `--out`: `prometheus-rw=URL` or a file for the report JSON. */
function parseCapacityOut(value: string, previous: CapacityOuts = {}): CapacityOuts {
  return value.startsWith('prometheus-rw=') ? { ...previous, remoteWrite: parseOut(value) } : { ...previous, file: value };
}

function number(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value.replace(/%$/, '')) / (value.endsWith('%') ? 100 : 1);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return n;
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `1,10,100` → [1, 10, 100]; each a whole number from 1 to 10000 (the workload's bound). */
function parseCounts(value: string): number[] {
  const counts = value.split(',').map((v) => v.trim());
  if (counts.some((c) => !/^\d+$/.test(c) || Number(c) < 1 || Number(c) > 10_000)) {
    throw new InvalidArgumentError(`must be a comma-separated list of whole numbers from 1 to 10000, got ${JSON.stringify(value)}`);
  }
  return counts.map(Number);
}

export function registerCapacity(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('capacity')
    .description('find the highest open-model rate each path sustains inside an SLO (ramp, then bisect)')
    .argument('<scenario>', 'scenario file; its first workload must support the open model')
    .option('--slo-p99-ms <ms>', 'p99 response time bound, ms', number(0.001, 600_000), 100)
    .option('--slo-error-rate <fraction|%>', 'error rate bound', number(0, 1), 0.001)
    .option('--slo-dropped-rate <fraction|%>', 'dropped-arrivals bound (arrivals still queued when the window ends count as dropped: the sign of a backlog)', number(0, 1), 0.01)
    .option('--start-rate <perSec>', 'first offered rate (default: the workload\'s rate, else 100/s)', number(0.01, 1_000_000))
    .option('--step-factor <x>', 'ramp multiplier until the SLO breaks', number(1.05, 100), 2)
    .option('--resolution <fraction>', 'stop when breaking ÷ sustained − 1 <= this', number(0.001, 1), 0.05)
    .option('--max-rate <perSec>', 'never offer more', number(1, 1_000_000), 100_000)
    .option('--max-probes <n>', 'most probes per path', number(1, 100), 12)
    .option('--duration-ms <ms>', 'measured window per probe', parsePositiveMs, 2_000)
    .option('--warmup-ms <ms>', 'warm-up per probe', parseMs, 500)
    .option('--path <id>', 'search only this path (repeatable)', collect)
    .option('--connections <list>', 'also sweep these connection counts (closed model), e.g. 1,10,100: errors by class and limits exceeded', parseCounts)
    .option('--no-rate-search', 'skip the rate search (with --connections: only the sweep)')
    .option('--price-per-listener-hour <price>', 'relay price per listener hour, for the cost note', number(0, 1e9))
    .option('--price-per-gb <price>', 'relay price per GB, for the cost note', number(0, 1e9))
    .option('--json', 'print the report JSON instead of the table')
    .option('--out <file|prometheus-rw=URL>', 'also write the report JSON to this file; or (repeatable) send every probe\'s live metrics to a Prometheus remote-write receiver', parseCapacityOut)
    .option('--tag <name=value>', 'an extra label on every live series (repeatable)', parseTag)
    .action(async (file: string, flags: CapacityFlags) => {
      const scenario = await loadScenarioFile(resolve(io.cwd, file));
      const live = startLiveExport(file, scenario, flags);
      let report: CapacityReport;
      let remoteWrite: RemoteWriteRecord | undefined;
      try {
        report = await searchCapacity({
          scenario,
          scenarioFile: file,
          signal: io.signal,
          slo: { p99Ms: flags.sloP99Ms, errorRate: flags.sloErrorRate, droppedRate: flags.sloDroppedRate },
          ...(flags.startRate === undefined ? {} : { startRatePerSec: flags.startRate }),
          stepFactor: flags.stepFactor,
          resolution: flags.resolution,
          maxRatePerSec: flags.maxRate,
          maxProbesPerPath: flags.maxProbes,
          durationMs: flags.durationMs,
          warmupMs: flags.warmupMs,
          ...(flags.path === undefined ? {} : { pathIds: flags.path }),
          ...(flags.connections === undefined ? {} : { connectionCounts: flags.connections }),
          skipRateSearch: !flags.rateSearch,
          prices: {
            ...(flags.pricePerListenerHour === undefined ? {} : { perListenerHour: flags.pricePerListenerHour }),
            ...(flags.pricePerGb === undefined ? {} : { perGb: flags.pricePerGb }),
          },
          secrets: io.env,
          onProbe: (pathId, p) =>
            io.stderr.write(`  ${pathId} @ ${Math.round(p.ratePerSec)}/s: p99 ${(p.p99Us / 1000).toFixed(1)} ms, ${p.isSustained ? 'held' : `broke (${p.violations.join('; ')})`}\n`),
          ...(live === undefined
            ? {}
            : {
                onProbeStart: (_pathId: string, ratePerSec: number, probe: number) => live.setStepLabels({ probe: String(probe), offered_rate: String(ratePerSec) }),
                onProgress: (event) => live.onProgress(event),
              }),
        });
      } finally {
        // A search that throws still stops the writer (bounded), so no request outlives the command.
        if (live !== undefined) {
          remoteWrite = await live.finish();
          io.stderr.write(remoteWriteLine(remoteWrite));
        }
      }
      if (remoteWrite !== undefined) report = { ...report, remoteWrite };
      for (const warning of report.warnings) io.stderr.write(`warning: ${warning}\n`);
      const json = `${JSON.stringify(report, null, 2)}\n`;
      // Printed first, so a failing --out (exit 11) never loses the measured report.
      io.stdout.write(flags.json === true ? json : renderCapacityText(report));
      if (flags.out?.file !== undefined) io.stderr.write(`capacity: ${await writeOutputFile(io.cwd, flags.out.file, json)}\n`);
      for (const path of report.paths) if (path.verdict !== undefined) io.stderr.write(`${path.pathId}: ${path.verdict.message}\n`);
      setExit(capacityExitCode(report, io.signal.aborted));
    });
}

/** The live export of `--out prometheus-rw=URL` (or the scenario's `output.prometheusRemoteWrite`), if asked for. */
function startLiveExport(file: string, scenario: Scenario, flags: CapacityFlags): LiveExport | undefined {
  const url = flags.out?.remoteWrite ?? scenario.output.prometheusRemoteWrite;
  if (url === undefined) return undefined;
  for (const name of Object.keys(scenario.output.tags ?? {})) {
    const problem = reservedLabelProblem(name);
    if (problem !== undefined) throw new UsageError(`${file}: output.tags.${name}: ${problem}`);
  }
  const plan = buildPlan(scenario, { durationMs: flags.durationMs, warmupMs: flags.warmupMs, repetitions: 1 });
  return createLiveExport(url, { scenario: scenario.name, plan, tags: { ...scenario.output.tags, ...flags.tag } });
}

/** Interrupted 130; an SLO no rate can meet 6 (a threshold failed); a ceiling that may be the generator's 7; else 0. */
export function capacityExitCode(report: CapacityReport, isAborted: boolean): ExitCode {
  if (isAborted) return ExitCode.Interrupted;
  if (report.paths.some((p) => p.verdict?.kind === 'slo-unreachable')) return ExitCode.ThresholdsFailed;
  if (report.paths.some((p) => p.verdict?.kind === 'generator-limited')) return ExitCode.InvalidRun;
  return ExitCode.Ok;
}
