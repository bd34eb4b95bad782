// Parent side of a role process ("cloud" relay, "on-prem" agent + target): forks the child,
// talks to it over Node's IPC channel with small request/response messages, and makes sure it
// ends — on stop, on error, and when this process dies (the child watches the channel).

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { PathSetupError } from '../errors.js';
import type { RoleMessage, RoleName, RoleRequest } from './role-protocol.js';

/** A running role process. */
export interface RoleHandle {
  role: RoleName;
  pid: number;
  /** Sends a request and resolves with the child's result. */
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to close its components and exit; kills it if it does not within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The entry the child runs: compiled JS next to this file, or the TS source under tsx (tests). */
function roleEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const isTs = here.endsWith('.ts');
  const file = here.replace(/run[\\/]role-process\.(ts|js)$/, `cli/role-main.${isTs ? 'ts' : 'js'}`);
  return { file, execArgv: isTs ? ['--import', 'tsx'] : [] };
}

export interface SpawnRoleOptions {
  /** Called with each log line the child sends (already redacted by the child). */
  onLog?: (role: RoleName, line: string) => void;
  /** How long the child may take to report ready, ms. Default 20 000. */
  startTimeoutMs?: number;
  /** Extra environment for the child (e.g. NODE_EXTRA_CA_CERTS for a TLS relay). */
  env?: Record<string, string>;
}

/** Forks a role process and waits for it to answer `ping`. */
export async function spawnRole(role: RoleName, options: SpawnRoleOptions = {}): Promise<RoleHandle> {
  const entry = roleEntry();
  const child = fork(entry.file, [role], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...options.env },
    serialization: 'json',
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  let stderrTail = '';

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  child.on('message', (raw: unknown) => {
    const message = raw as RoleMessage;
    if (message.type === 'log') {
      options.onLog?.(role, message.line);
      return;
    }
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.type === 'result') waiter.resolve(message.result);
    else waiter.reject(new PathSetupError(`${role} process: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    const reason = `${role} process exited (${signal ?? `code ${String(code)}`})${stderrTail ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
    for (const waiter of pending.values()) waiter.reject(new PathSetupError(reason));
    pending.clear();
  });

  const call = <T,>(method: string, params?: unknown, timeoutMs = 20_000): Promise<T> => {
    if (exited || !child.connected) return Promise.reject(new PathSetupError(`${role} process is not running`));
    const id = nextId++;
    const request: RoleRequest = { id, method, params };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new PathSetupError(`${role} process did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send(request);
    });
  };

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exited) return;
    const exit = once(child, 'exit');
    try {
      await call('stop', undefined, graceMs);
    } catch {
      // The child may exit before answering; the kill below covers a hung one.
    }
    const timer = setTimeout(() => killHard(child), graceMs);
    try {
      if (!exited) await exit;
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    await call('ping', undefined, options.startTimeoutMs ?? 20_000);
  } catch (cause) {
    killHard(child);
    throw new PathSetupError(`${role} process did not start`, { cause });
  }
  return { role, pid: child.pid ?? -1, call, stop };
}

function killHard(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
