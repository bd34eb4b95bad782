// Starts a real PostgreSQL server for the replay tests: `initdb` in a temporary folder (trust
// authentication, no fsync), `postgres` on 127.0.0.1 at a just-released port, stopped (fast
// shutdown) and the folder removed by the caller's `close`. Debian's `postgresql` package puts
// the binaries under /usr/lib/postgresql/<version>/bin; as root they run as the `postgres` user
// (PostgreSQL refuses root). Test-only.

import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reserveClosedPort } from './target-misbehaving.js';

/** The newest installed PostgreSQL's bin folder, or undefined. */
function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'pgbench')));
}

const BIN_DIR = findBinDir();
const isRoot = process.getuid?.() === 0;
const pgUser = isRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : undefined;
const pgUid = pgUser?.status === 0 ? Number(pgUser.stdout.trim()) : undefined;
const pgGid = isRoot ? Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : undefined;

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export const POSTGRES_SKIP_REASON: string | undefined =
  BIN_DIR === undefined ? 'PostgreSQL not installed (apt-get install -y postgresql: initdb, postgres and pgbench under /usr/lib/postgresql/*/bin); PostgreSQL replay tests skipped'
  : isRoot && pgUid === undefined ? 'running as root without a `postgres` user to run PostgreSQL as; PostgreSQL replay tests skipped'
  : undefined;

/** Path of a PostgreSQL binary (pgbench, psql); only when POSTGRES_SKIP_REASON is undefined. */
export function pgBin(name: string): string {
  return join(BIN_DIR ?? '/nonexistent', name);
}

/** Runs a PostgreSQL client binary (pgbench) as the server's user without blocking the event loop; killed after `timeoutMs`. */
export function runPgAsync(name: string, args: string[], timeoutMs = 30_000): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(pgBin(name), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(pgUid === undefined ? {} : { uid: pgUid, gid: pgGid }) });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** Runs a PostgreSQL binary as the server's user (root → `postgres`), bounded in time. */
function runPg(name: string, args: string[], timeoutMs = 30_000): { status: number | null; output: string } {
  const result = spawnSync(pgBin(name), args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    ...(pgUid === undefined ? {} : { uid: pgUid, gid: pgGid }),
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export interface StartedPostgres {
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** initdb + postgres; resolves once the server says it accepts connections. */
export async function startPostgres(): Promise<StartedPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'hcbench-pg-'));
  if (pgUid !== undefined) chownSync(dir, pgUid, pgGid ?? pgUid);
  const data = join(dir, 'data');
  const init = runPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], 60_000);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.output.slice(-500)}`);
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { host, port } = await reserveClosedPort();
    const child = spawn(pgBin('postgres'), ['-D', data, '-p', String(port), '-h', host, '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(pgUid === undefined ? {} : { uid: pgUid, gid: pgGid }),
    });
    let log = '';
    const isReady = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      const onData = (chunk: Buffer): void => {
        log = (log + chunk.toString()).slice(-4000);
        if (log.includes('ready to accept connections')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    const close = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // SIGINT: PostgreSQL's fast shutdown (disconnects clients, no waiting for them).
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    };
    if (isReady) {
      return {
        address: { host, port },
        close: async () => {
          await close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await close();
    if (attempt === 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start on ${host}:${port}: ${log.slice(-500)}`);
    }
  }
  throw new Error('unreachable');
}
