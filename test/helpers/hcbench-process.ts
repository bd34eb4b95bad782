// Real `hcbench` CLI processes (dist/cli/bin.js, so run `npm run build` first) for tests that need
// separate processes: stdout lines collected, stderr kept, open fds and RSS readable from /proc,
// stopped with SIGINT (then SIGKILL after a deadline) by PID at test end. Test-only.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

/** One running `hcbench` process. */
export interface HcbenchProcess {
  child: ChildProcess;
  pid: number;
  stdoutLines: string[];
  stderr(): string;
  /** Resolves with the first stdout line that parses as JSON; rejects with stderr after `timeoutMs`. */
  firstJson<T>(timeoutMs?: number): Promise<T>;
  /** Sends SIGINT and resolves with the exit code (SIGKILL after `timeoutMs`, then rejects). */
  interrupt(timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts `node dist/cli/bin.js <args>` with `env` added. `shellPrefix` (e.g. `ulimit -n 256;`) runs
 * it through `sh -c ... exec node`, so the PID is still the node process.
 */
export function startHcbench(args: string[], env: Record<string, string> = {}, shellPrefix?: string): HcbenchProcess {
  const options = { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
  const child =
    shellPrefix === undefined
      ? spawn(process.execPath, [BIN, ...args], options)
      : spawn('sh', ['-c', `${shellPrefix} exec "$0" "$@"`, process.execPath, BIN, ...args], options);
  const stdoutLines: string[] = [];
  let stderrText = '';
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    stdoutLines.push(...lines);
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderrText = (stderrText + chunk.toString('utf8')).slice(-20_000)));
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const started: HcbenchProcess = {
    child,
    pid: child.pid ?? -1,
    stdoutLines,
    stderr: () => stderrText,
    async firstJson<T>(timeoutMs = 20_000): Promise<T> {
      // Waits on the child's own events (a stdout line, its exit), never by polling.
      const found = (): string | undefined => stdoutLines.find((l) => l.startsWith('{'));
      const ready = found();
      if (ready !== undefined) return JSON.parse(ready) as T;
      return new Promise<T>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.off('exit', onExit);
        };
        const onData = (): void => {
          // stdoutLines is filled by the 'data' listener registered when the child started, which runs first.
          const line = found();
          if (line === undefined) return;
          cleanup();
          resolve(JSON.parse(line) as T);
        };
        const onExit = (): void => {
          cleanup();
          const line = found();
          if (line !== undefined) return resolve(JSON.parse(line) as T);
          reject(new Error(`hcbench ${args[0]} exited (${child.exitCode ?? child.signalCode}) before printing JSON: ${stderrText.slice(-500)}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`hcbench ${args[0]} printed no JSON line within ${timeoutMs} ms: ${stderrText.slice(-500)}`));
        }, timeoutMs);
        child.stdout?.on('data', onData);
        child.once('exit', onExit);
        if (!isRunning()) onExit();
      });
    },
    async interrupt(timeoutMs = 10_000): Promise<number | null> {
      if (!isRunning()) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const [code, signal] = (await exited) as [number | null, string | null];
      clearTimeout(killer);
      if (signal === 'SIGKILL') throw new Error(`hcbench ${args[0]} ignored SIGINT for ${timeoutMs} ms`);
      return code;
    },
  };
  onTestFinished(async () => {
    if (!isRunning()) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  });
  return started;
}

/** Number of open file descriptors of a live process (Linux /proc). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** TCP states as /proc/net/tcp numbers them. */
const TCP_STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];

/**
 * What a process's open descriptors are, for a failure message: each TCP socket as
 * `local port>remote port STATE`, everything else by kind (`pipe`, `anon_inode:[eventfd]`, a path).
 */
export function describeFds(pid: number): string[] {
  const tcp = new Map<string, string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const port = (address: string | undefined): number => Number.parseInt(address?.split(':')[1] ?? '0', 16);
      tcp.set(fields[9] ?? '', `${port(fields[1])}>${port(fields[2])} ${TCP_STATES[Number.parseInt(fields[3] ?? '0', 16)] ?? fields[3]}`);
    }
  }
  const described: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    described.push(inode === undefined ? target.replace(/^pipe:.*/, 'pipe') : (tcp.get(inode) ?? 'socket (not TCP)'));
  }
  return described.sort();
}

/** Starts `hcbench relay --hc hc1 --json` and returns it with the connection string of `hc1`. */
export async function startRelayProcess(extraArgs: string[] = []): Promise<{ relay: HcbenchProcess; connectionString: string; url: string }> {
  const relay = startHcbench(['relay', '--hc', 'hc1', '--json', ...extraArgs]);
  const info = await relay.firstJson<{ url: string; connectionStrings: Record<string, string> }>();
  return { relay, connectionString: info.connectionStrings['hc1'] ?? '', url: info.url };
}
