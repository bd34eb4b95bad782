// A real Prometheus server (Debian's `prometheus` package) for tests: started on a free port of
// 127.0.0.1 with the remote-write receiver enabled and a temporary data folder, ready when it says
// so on its log, queried over its HTTP API, stopped by its pid.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hasBinary = spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).status === 0;

/** Why the real-Prometheus tests cannot run here, or undefined when they can. */
export const PROMETHEUS_SKIP_REASON: string | undefined = hasBinary
  ? undefined
  : 'prometheus not installed (apt-get install -y prometheus; .ci/run installs it); real-Prometheus remote-write tests skipped';

export interface StartedPrometheus {
  /** The remote-write URL. */
  writeUrl: string;
  /** Instant query; returns the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for its exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts Prometheus (with `--enable-feature` of `features`); rejects with its log when it is not ready within `readyMs`. */
export async function startPrometheus(readyMs = 30_000, features: readonly string[] = []): Promise<StartedPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'hcbench-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', ...features.map((f) => `--enable-feature=${f}`)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prometheus not ready within ${readyMs} ms:\n${log.slice(-2000)}`)), readyMs);
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
      if (log.includes('Server is ready to receive web requests')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prometheus exited (${code}) before it was ready:\n${log.slice(-2000)}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    writeUrl: `${base}/api/v1/write`,
    async query(expr) {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${JSON.stringify(body).slice(0, 500)}`);
      return body.data.result;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
