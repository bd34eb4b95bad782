// Parent side of bench helper processes (bench/lib/child-main.ts): forks one, waits for its port,
// and stops it by PID. Keeps servers out of the generator's event loop and off its core budget.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { stopChild } from './tools.js';

export type BenchChildKind = 'http-target' | 'ws-echo' | 'relay-echo-listener' | 'pipe-proxy' | 'record-proxy';

export interface BenchChild {
  pid: number;
  /** The port it listens on (0 for the relay echo listener, which only dials out). */
  port: number;
  close(): Promise<void>;
}

/** Forks a helper of `kind` and resolves once it reported ready (within `readyTimeoutMs`). */
export async function spawnBenchChild(kind: BenchChildKind, params: Record<string, unknown> = {}, readyTimeoutMs = 20_000): Promise<BenchChild> {
  const file = fileURLToPath(new URL('./child-main.ts', import.meta.url));
  const child = fork(file, [kind, JSON.stringify(params)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const close = async () => {
    if (child.connected) child.send('stop');
    await stopChild(child, 3000);
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), readyTimeoutMs);
  try {
    type ReadyMessage = { ready: boolean; port?: number; error?: string };
    const ready = await Promise.race<ReadyMessage>([
      once(child, 'message').then(([m]) => m as ReadyMessage),
      once(child, 'exit').then(() => ({ ready: false, error: `exited: ${stderr.trim().slice(-300)}` })),
    ]);
    if (!ready.ready) throw new Error(`bench child ${kind} failed: ${ready.error ?? 'unknown'}`);
    return { pid: child.pid ?? -1, port: ready.port ?? 0, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
