// `hcbench compare <baseline.json> <current.json>`: metric-by-metric verdicts against a baseline,
// as console text (stdout), Markdown and JUnit XML files. Exit 0 (unchanged or improved),
// 8 (a metric regressed), 9 (incomparable results), 7 (a compared figure of either result is
// untrusted: its generator's timing error is too large for it), 2 (an unreadable result file).

import { InvalidArgumentError, type Command } from 'commander';
import { compareResults, type ToleranceRule } from '../../analysis/compare.js';
import { invalidCompareReasons } from '../../analysis/run-validity.js';
import { ExitCode, OutputWriteError } from '../../errors.js';
import { renderCompareMarkdown, renderCompareText } from '../../report/compare-text.js';
import { compareSuite, renderJUnit, thresholdSuite } from '../../report/junit.js';
import { renderThresholdsMarkdown } from '../../report/threshold-text.js';
import { writeOutputFile } from '../../fs/write-output.js';
import type { CliIo } from '../io.js';
import { loadResultFile } from '../result-file.js';

interface CompareFlags {
  tolerance: ToleranceRule[];
  noiseK?: number;
  md?: string;
  junit?: string;
  json?: boolean;
}

/** commander parser for `--tolerance <pattern=percent>`, repeatable: `*.p99=30%`, `*transactionsPerSec=0.2`. */
export function parseTolerance(value: string, previous: ToleranceRule[] = []): ToleranceRule[] {
  const match = /^([^=]+)=([0-9]+(?:\.[0-9]+)?)(%?)$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError(`must be <metric pattern>=<percent>, e.g. '*.p99=30%', got ${JSON.stringify(value)}`);
  const relative = Number(match[2]) / (match[3] === '%' ? 100 : 1);
  if (relative > 10) throw new InvalidArgumentError(`tolerance must be at most 1000%, got ${JSON.stringify(value)}`);
  return [...previous, { pattern: match[1]!.trim(), relative }];
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError(`must be a number from 0 to 100, got ${JSON.stringify(value)}`);
  return n;
}

export function registerCompare(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('compare')
    .description('compare a result with a baseline: improved / unchanged / regressed / incomparable per metric')
    .argument('<baseline>', "the baseline's summary.json")
    .argument('<current>', "the current run's summary.json")
    .option('--tolerance <pattern=percent>', "allowed change for metrics matching the pattern ('*' = any), repeatable; defaults: p50 10%, p90 15%, p99 25%, throughput 10%", parseTolerance, [])
    .option('--noise-k <k>', "noise band = k × standard deviation of the baseline's repetitions (default 2)", parsePositive)
    .option('--md <file>', 'also write the comparison as Markdown to this file (replaced, e.g. a file you append to $GITHUB_STEP_SUMMARY)')
    .option('--junit <file>', 'also write JUnit XML: one test case per compared metric and per threshold of the current run')
    .option('--json', 'print the comparison as JSON instead of the table')
    .action(async (baselineFile: string, currentFile: string, flags: CompareFlags) => {
      const baseline = await loadResultFile(io.cwd, baselineFile);
      const current = await loadResultFile(io.cwd, currentFile);
      const report = compareResults(baseline, current, { baseline: baselineFile, current: currentFile }, {
        tolerances: flags.tolerance,
        ...(flags.noiseK === undefined ? {} : { noiseK: flags.noiseK }),
      });
      const verdicts = current.thresholds ?? [];
      // The verdict is printed first, so a failing --md or --junit (exit 11) never hides it.
      io.stdout.write(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderCompareText(report));
      const failures: string[] = [];
      const writeTo = async (target: string, text: string, what: string) => {
        try {
          io.stderr.write(`${what}: ${await writeOutputFile(io.cwd, target, text)}\n`);
        } catch (error) {
          if (!(error instanceof OutputWriteError)) throw error;
          failures.push(error.message);
        }
      };
      if (flags.md !== undefined) await writeTo(flags.md, renderCompareMarkdown(report) + '\n' + renderThresholdsMarkdown(verdicts), 'markdown');
      if (flags.junit !== undefined) {
        const suites = [compareSuite(report), ...(verdicts.length > 0 ? [thresholdSuite(verdicts, current.scenario.name, current.startedAt)] : [])];
        await writeTo(flags.junit, renderJUnit(suites), 'junit');
      }
      // A verdict resting on a figure the generator's own timing error spoils is not evidence.
      const invalid = [
        ...invalidCompareReasons(baseline).map((r) => `invalid baseline: ${r}`),
        ...invalidCompareReasons(current).map((r) => `invalid current: ${r}`),
      ];
      if (invalid.length > 0) io.stderr.write(invalid.map((line) => `${line}\n`).join(''));
      if (failures.length > 0) throw new OutputWriteError(`${failures.join('; ')} (the comparison, verdict ${report.verdict}, is on stdout)`);
      setExit(
        report.verdict === 'incomparable'
          ? ExitCode.Incomparable
          : invalid.length > 0
            ? ExitCode.InvalidRun
            : report.verdict === 'regressed'
              ? ExitCode.Regression
              : ExitCode.Ok,
      );
    });
}
