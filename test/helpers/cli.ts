// Runs main() in-process with captured stdio (k6 GlobalTestState style).

import { main } from '../../src/cli/main.js';
import type { ExitCode } from '../../src/errors.js';

export interface CliRun {
  exitCode: ExitCode;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], options: { cwd?: string; signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  });
  return { exitCode, stdout, stderr };
}
