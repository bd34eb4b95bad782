// The harness's error types and exit codes. Errors here mean "the harness could not do its job";
// failures of the system under test during measurement are data (counted), never thrown.

/** Process exit codes, one per outcome class. Documented in the README; each has a test. */
export const ExitCode = {
  /** All steps completed and thresholds (if any) passed. */
  Ok: 0,
  /** Unexpected error: a bug. The stack is printed. */
  Internal: 1,
  /** Bad command-line arguments. */
  Usage: 2,
  /** Scenario file unreadable or invalid; every issue is printed. */
  InvalidScenario: 3,
  /** Could not bind, start the relay or tunnel endpoints, or reach the target. */
  SetupFailed: 4,
  /** A step failed: its workload could not run at all (failures during measurement are data, not this). */
  RunFailed: 5,
  /** Results were produced and written, but a threshold failed. */
  ThresholdsFailed: 6,
  /**
   * Results were produced and written, but a statistic that a threshold or the overhead verdict
   * reads is untrusted: the load generator's own timing error is too large for it.
   */
  InvalidRun: 7,
  /** `hcbench compare`: at least one metric regressed beyond its tolerance and the baseline's noise band. */
  Regression: 8,
  /** `hcbench compare`: the results cannot be compared (different scenario, topology or environment). */
  Incomparable: 9,
  /** The target refused (or never answered) every connection: nothing to measure, the system under test is down. */
  TargetUnreachable: 10,
  /** An output file or folder could not be written (permissions, missing or read-only location, disk full); a measured result is saved elsewhere or printed. */
  OutputFailed: 11,
  /** Interrupted by SIGINT; partial results written and marked `aborted`. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem found in a scenario, located as precisely as the source allows. */
export interface Issue {
  /** JSON path of the offending key, e.g. `workload.connections`; empty for the document itself. */
  path: string;
  /** What is wrong, lower case, no final full stop: `must be an integer >= 1, got 0`. */
  message: string;
  /** Optional remedy, e.g. a "did you mean" suggestion. */
  hint?: string;
  /** 1-based line of the offending node in the source file, when known. */
  line?: number;
  /** 1-based column of the offending node in the source file, when known. */
  column?: number;
}

export interface HarnessErrorOptions {
  cause?: unknown;
  hint?: string;
}

/** Base class of every error the harness throws on purpose. Branch on `code`, never on text. */
export class HarnessError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: string, exitCode: ExitCode, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/**
 * The base of an error kind with a fixed code and exit code, so each kind is one line:
 * `class PathSetupError extends errorKind('ERR_PATH_SETUP', ExitCode.SetupFailed) {}`.
 */
function errorKind(code: string, exitCode: ExitCode) {
  return class extends HarnessError {
    constructor(message: string, options: HarnessErrorOptions = {}) {
      super(code, exitCode, message, options);
    }
  };
}

/** A scenario file is missing, unreadable or invalid. Carries every issue found. */
export class ScenarioError extends HarnessError {
  readonly file: string;
  readonly issues: readonly Issue[];

  constructor(file: string, issues: readonly Issue[], options: HarnessErrorOptions = {}) {
    const first = issues[0];
    const summary = first === undefined ? 'invalid scenario' : formatIssue(file, first);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('ERR_SCENARIO_INVALID', ExitCode.InvalidScenario, summary + more, options);
    this.file = file;
    this.issues = issues;
  }
}

/** A network path (target, relay, tunnel endpoints) could not be built. */
export class PathSetupError extends errorKind('ERR_PATH_SETUP', ExitCode.SetupFailed) {}

/** Ctrl-C (the run's abort signal) arrived while the harness waited for `operation`. */
export class InterruptedError extends errorKind('ERR_INTERRUPTED', ExitCode.Interrupted) {}

/** A bounded wait ran out: the message names the process and the operation waited for. */
export class StuckError extends errorKind('ERR_STUCK', ExitCode.SetupFailed) {}

/** The target refused or did not answer a connection before any step ran: a target failure, not a generator verdict. */
export class TargetUnreachableError extends errorKind('ERR_TARGET_UNREACHABLE', ExitCode.TargetUnreachable) {}

/** A workload could not run at all (as opposed to failures during measurement, which are data). */
export class WorkloadError extends errorKind('ERR_WORKLOAD', ExitCode.RunFailed) {}

/** An output file or folder could not be written: an environment problem, not a bug (exit 11). */
export class OutputWriteError extends errorKind('ERR_OUTPUT_WRITE', ExitCode.OutputFailed) {}

/** Bad command-line usage detected after commander parsed the arguments. */
export class UsageError extends errorKind('ERR_USAGE', ExitCode.Usage) {}

/** `file:line:column key.path: message — hint`, the one format every scenario issue is shown in. */
export function formatIssue(file: string, issue: Issue): string {
  const where =
    issue.line === undefined ? file : `${file}:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  const key = issue.path === '' ? '' : ` ${issue.path}`;
  const hint = issue.hint === undefined ? '' : ` — ${issue.hint}`;
  return `${where}${key}: ${issue.message}${hint}`;
}
