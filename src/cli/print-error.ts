// How errors reach the user: `error[<code>]: <message>` and a hint on stderr, every scenario
// issue on its own line, a stack only for internal errors or with --verbose. Secrets redacted.

import { redactSecrets } from '../azure/sas-token.js';
import { ExitCode, formatIssue, HarnessError, type ScenarioError } from '../errors.js';
import type { CliIo } from './io.js';

export function printScenarioError(io: CliIo, error: ScenarioError): void {
  const count = error.issues.length;
  io.stderr.write(`error[${error.code}]: ${error.file}: ${count} problem${count === 1 ? '' : 's'}\n`);
  for (const issue of error.issues) io.stderr.write(`  ${redactSecrets(formatIssue(error.file, issue))}\n`);
}

/** Prints any error and returns the exit code it maps to. */
export function printError(io: CliIo, error: unknown, isVerbose: boolean): ExitCode {
  if (error instanceof HarnessError) {
    io.stderr.write(`error[${error.code}]: ${redactSecrets(error.message)}\n`);
    let cause = error.cause;
    for (let depth = 0; cause !== undefined && depth < 3; depth++) {
      io.stderr.write(`  caused by: ${redactSecrets(cause instanceof Error ? cause.message : String(cause))}\n`);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    if (error.hint !== undefined) io.stderr.write(`hint: ${error.hint}\n`);
    if (isVerbose || error.exitCode === ExitCode.Internal) io.stderr.write(`${redactSecrets(error.stack ?? '')}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`error[ERR_INTERNAL]: ${redactSecrets(text)}\n`);
  return ExitCode.Internal;
}
