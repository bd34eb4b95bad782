// Parent side of a role process ("cloud" relay, "on-prem" agent + target): forks the child,
// talks to it over Node's IPC channel with small request/response messages, and makes sure it
// ends — on stop, on error, and when this process dies (the child watches the channel).

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { InterruptedError, PathSetupError } from '../errors.js';
import type { RoleMessage, RoleName, RoleRequest } from './role-protocol.js';
import { lowerRolePriority } from './role-priority.js';

/** A running role process. */
export interface RoleHandle {
  role: RoleName;
  pid: number;
  /** Sends a request and resolves with the child's result. */
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to close its components and exit; kills it if it does not within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Kills the child at once (SIGKILL); for a teardown cut short after Ctrl-C. */
  kill(): void;
}

/**
 * The entry the child runs, resolved against this module's URL: `cli/role-main.js` beside the
 * compiled `roles/` in dist/, or `cli/role-main.ts` beside the source under tsx (tests).
 */
function roleEntry(isCompiled: boolean): { file: string; execArgv: string[] } {
  const isTs = import.meta.url.endsWith('.ts');
  if (isTs && isCompiled) return { file: fileURLToPath(COMPILED_ROLE_ENTRY), execArgv: [] };
  const file = fileURLToPath(new URL(isTs ? '../cli/role-main.ts' : '../cli/role-main.js', import.meta.url));
  return { file, execArgv: isTs ? ['--import', 'tsx'] : [] };
}

/** The compiled build's role entry (`npm run build`), as seen from src/roles under tsx. */
export const COMPILED_ROLE_ENTRY = new URL('../../dist/cli/role-main.js', import.meta.url);

export interface SpawnRoleOptions {
  /** Called with each log line the child sends (already redacted by the child). */
  onLog?: (role: RoleName, line: string) => void;
  /** How long the child may take to report ready, ms. Default 20 000. */
  startTimeoutMs?: number;
  /** Extra environment for the child (e.g. NODE_EXTRA_CA_CERTS for a TLS relay). */
  env?: Record<string, string>;
  /**
   * Ctrl-C: when it aborts, the start (ping) and every call in flight reject with an
   * InterruptedError naming the process and method, and so does every later call except the
   * teardown ones ({@link CALLS_AFTER_ABORT}: reading counters, stopping), which keep their timeouts.
   */
  signal?: AbortSignal;
  /**
   * Under tsx (tests, bench): run the compiled build's entry ({@link COMPILED_ROLE_ENTRY}) instead,
   * as `hcbench` runs its roles. tsx compiles with esbuild's keepNames, whose `__name()` gives every
   * named closure a dictionary-mode property store (~256 B each, ~8 KB per relayed connection in
   * the forwarder and the agent), a cost of the dev loader that a memory figure must not include.
   * No effect when this module is compiled already.
   */
  compiled?: boolean;
}

/** Methods still served after the abort signal fired: counters for the partial result, and the stop. */
export const CALLS_AFTER_ABORT: ReadonlySet<string> = new Set(['stats', 'stop']);

/** Forks a role process and waits for it to answer `ping`. */
export async function spawnRole(role: RoleName, options: SpawnRoleOptions = {}): Promise<RoleHandle> {
  const entry = roleEntry(options.compiled === true);
  const child = fork(entry.file, [role], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...options.env },
    serialization: 'json',
  });
  lowerRolePriority(child.pid);
  const pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
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
  const name = `${role} process (pid ${child.pid ?? '?'})`;
  const onAbort = (): void => {
    for (const [id, waiter] of pending) {
      if (CALLS_AFTER_ABORT.has(waiter.method)) continue;
      pending.delete(id);
      waiter.reject(new InterruptedError(`interrupted while waiting for ${name} ${waiter.method}`));
    }
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Spawn or IPC failures also end in 'exit' (or a failed send): nothing more to do here.
  child.on('error', () => undefined);
  child.on('exit', (code, signal) => {
    exited = true;
    options.signal?.removeEventListener('abort', onAbort);
    const reason = `${role} process exited (${signal ?? `code ${String(code)}`})${stderrTail ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
    for (const waiter of pending.values()) waiter.reject(new PathSetupError(reason));
    pending.clear();
  });

  const call = <T,>(method: string, params?: unknown, timeoutMs = 20_000): Promise<T> => {
    if (exited || !child.connected) return Promise.reject(new PathSetupError(`${name} is not running`));
    if (options.signal?.aborted === true && !CALLS_AFTER_ABORT.has(method)) {
      return Promise.reject(new InterruptedError(`interrupted: ${name} ${method} not started`));
    }
    const id = nextId++;
    const request: RoleRequest = { id, method, params };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new PathSetupError(`${name} did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      // A child that died (or was killed) a moment ago fails the send (EPIPE): that call fails, the
      // process does not (without a callback the error would be emitted unhandled and crash us).
      child.send(request, (error: Error | null) => {
        if (error === null) return;
        const waiter = pending.get(id);
        pending.delete(id);
        waiter?.reject(new PathSetupError(`${name} ${method}: ${error.message}`));
      });
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
    if (options.signal?.aborted === true) throw new InterruptedError(`interrupted while starting the ${role} process`);
    await call('ping', undefined, options.startTimeoutMs ?? 20_000);
  } catch (cause) {
    killHard(child);
    options.signal?.removeEventListener('abort', onAbort);
    if (cause instanceof InterruptedError) throw cause;
    throw new PathSetupError(`${role} process did not start`, { cause });
  }
  return { role, pid: child.pid ?? -1, call, stop, kill: () => killHard(child) };
}

function killHard(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
