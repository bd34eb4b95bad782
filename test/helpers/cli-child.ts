// A real `node dist/cli/bin.js ...` child for Ctrl-C tests: its output collected, lines awaited as
// events (with a deadline that fails naming what was awaited), its role processes found in /proc.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export const BIN = 'dist/cli/bin.js';

export interface CliChild {
  process: ChildProcessWithoutNullStreams;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with stderr so far once a line matches; rejects after `timeoutMs` saying what it waited for. */
  waitForStderr(match: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or the signal name) and the ms since `since` (default: spawn). */
  exited: Promise<{ code: number | null; signal: string | null; atMs: number }>;
}

/** Spawns the built CLI with `args` in `cwd` (default: the repository), with `env` added. */
export function spawnCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): CliChild {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; atMs: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  return {
    process: child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStderr(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (!match.test(err)) return false;
          cleanup();
          resolve(err);
          return true;
        };
        const onExit = (): void => {
          cleanup();
          reject(new Error(`child exited before stderr matched ${match}:\n${err}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no stderr line matched ${match} within ${timeoutMs} ms:\n${err}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stderr.off('data', onData);
          child.off('exit', onExit);
        };
        const onData = (): void => void check();
        if (check()) return;
        child.stderr.on('data', onData);
        child.once('exit', onExit);
      });
    },
  };
}

/** Direct children of a process (Linux /proc); [] elsewhere or once it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}
