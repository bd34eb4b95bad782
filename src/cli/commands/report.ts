// `hcbench report <result.json>`: re-renders a saved result in any format, to stdout or a file.
// Reads and writes files; the rendering itself is the pure reporters' job.

import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AnalyzeOptions } from '../../analysis/analyze-run.js';
import { ExitCode } from '../../errors.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../report/index.js';
import { writeOutputFile } from '../../fs/write-output.js';
import type { CliIo } from '../io.js';
import { loadResultFile } from '../result-file.js';

interface ReportFlags {
  format: ReportFormat;
  out?: string;
  roundTrips?: number;
  directRttMs?: number;
  appToRelayRttMs?: number;
  relayToAgentRttMs?: number;
  agentToTargetRttMs?: number;
  fit: 'mean' | 'p50';
}

/** commander parser for a non-negative number (distances in ms). */
function parseNonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`must be a number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

/** commander parser for a whole number >= 1 (round trips per transaction). */
function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

function analysisOptions(flags: ReportFlags): AnalyzeOptions {
  const options: AnalyzeOptions = { fitStatistic: flags.fit };
  if (flags.roundTrips === undefined) return options;
  return {
    ...options,
    projection: {
      roundTripsPerTransaction: flags.roundTrips,
      ...(flags.directRttMs === undefined ? {} : { directRttMs: flags.directRttMs }),
      ...(flags.appToRelayRttMs === undefined ? {} : { appToRelayRttMs: flags.appToRelayRttMs }),
      ...(flags.relayToAgentRttMs === undefined ? {} : { relayToAgentRttMs: flags.relayToAgentRttMs }),
      ...(flags.agentToTargetRttMs === undefined ? {} : { agentToTargetRttMs: flags.agentToTargetRttMs }),
    },
  };
}

export function registerReport(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('report')
    .description('re-render a saved result (summary.json) as console text, Markdown, CSV, .hlog, HTML or JSON')
    .argument('<result>', 'a run\'s summary.json, or its run folder')
    .addOption(new Option('--format <format>', 'output format').choices([...REPORT_FORMATS]).default('console'))
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .option('--round-trips <k>', 'projection: round trips per transaction of your protocol', parsePositiveInt)
    .option('--direct-rtt-ms <ms>', 'projection: app ↔ target RTT over a private link', parseNonNegative)
    .option('--app-to-relay-rtt-ms <ms>', 'projection: app ↔ relay region RTT', parseNonNegative)
    .option('--relay-to-agent-rtt-ms <ms>', 'projection: relay region ↔ on-prem agent RTT', parseNonNegative)
    .option('--agent-to-target-rtt-ms <ms>', 'projection: agent ↔ target RTT on-prem', parseNonNegative)
    .addOption(new Option('--fit <statistic>', 'per-step figure of the round-trip fit (p50 resists stalls on a busy machine)').choices(['mean', 'p50']).default('mean'))
    .action(async (file: string, flags: ReportFlags) => {
      const result = await loadResultFile(io.cwd, file, { allowFolder: true });
      const isTTY = flags.out === undefined && io.stdout.isTTY === true && io.env['NO_COLOR'] === undefined;
      const output = renderReport(flags.format, result, { isTTY, analysis: analysisOptions(flags) });
      if (flags.out === undefined) io.stdout.write(output);
      else io.stderr.write(`report: ${await writeOutputFile(io.cwd, flags.out, output)}\n`);
      setExit(ExitCode.Ok);
    });
}
