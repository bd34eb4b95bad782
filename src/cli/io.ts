// The CLI's view of the outside world, injected so tests can run main() in-process.

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Working directory results are written under. */
  cwd: string;
  /** Aborted on Ctrl-C (SIGINT). */
  signal: AbortSignal;
}
