// External reference tools: finding them on PATH, running one to completion with a deadline, and
// keeping a long-running one (server, proxy) alive until closed by its PID. Never uses a shell.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, constants } from 'node:fs/promises';
import net from 'node:net';
import { delimiter, join } from 'node:path';

/** Returns a lookup that searches the given PATH string for an executable. */
export function createPathLookup(pathEnv: string): (name: string) => Promise<string | undefined> {
  return async (name) => {
    for (const dir of pathEnv.split(delimiter).filter((d) => d !== '')) {
      const file = join(dir, name);
      try {
        await access(file, constants.X_OK);
        return file;
      } catch {
        // not in this directory
      }
    }
    return undefined;
  };
}

export interface ToolOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file args` to completion; kills it (by PID) after `timeoutMs`. */
export async function runTool(file: string, args: readonly string[], timeoutMs: number): Promise<ToolOutput> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return { exitCode: code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** A long-running tool process. */
export interface RunningTool {
  pid: number;
  /** What it printed so far (tail). */
  output(): string;
  /** SIGTERM, then SIGKILL after 2 s; resolves once it exited. */
  close(): Promise<void>;
}

/** Starts `file args` and resolves once `isReady` (polled every 50 ms) says so, or rejects after `readyTimeoutMs`. */
export async function startTool(
  file: string,
  args: readonly string[],
  isReady: () => Promise<boolean>,
  readyTimeoutMs = 10_000,
): Promise<RunningTool> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: string) => (tail = (tail + d).slice(-4000));
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const running: RunningTool = { pid: child.pid ?? -1, output: () => tail, close: () => stopChild(child) };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${file} exited before it was ready: ${tail.trim().slice(-300)}`);
    }
    if (await isReady()) return running;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await running.close();
  throw new Error(`${file} was not ready within ${readyTimeoutMs} ms: ${tail.trim().slice(-300)}`);
}

/** Ends one child by its PID: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for tools that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when a TCP connect to 127.0.0.1:port succeeds (the connection is closed at once). */
export async function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
