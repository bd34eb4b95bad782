// Starts a real redis-server child process on 127.0.0.1 for dialog tests, and tells whether the
// binary is installed (apt package `redis-server`). Test-only; the caller closes it.

import { spawn, spawnSync } from 'node:child_process';
import { reserveClosedPort, type StartedServer } from './target-misbehaving.js';

/** True when `redis-server` is on PATH. */
export const hasRedisServer: boolean = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Message to show when tests are skipped for lack of the binary. */
export const REDIS_SKIP_REASON = 'redis-server not installed (apt-get install -y redis-server); dialog-against-redis tests skipped';

/** Starts redis-server without persistence; resolves once it accepts connections. */
export async function startRedisServer(): Promise<Omit<StartedServer, 'accepted'>> {
  // redis-server cannot bind port 0, so take a just-released port; retry if someone grabbed it.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { host, port } = await reserveClosedPort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const isReady = await new Promise<boolean>((resolve) => {
      let output = '';
      const timer = setTimeout(() => resolve(false), 10_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    const close = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    };
    if (isReady) return { address: { host, port }, close };
    await close();
    if (attempt === 3) throw new Error(`redis-server did not start on ${host}:${port}`);
  }
  throw new Error('unreachable');
}
