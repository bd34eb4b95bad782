// Opens many TCP connections to a dial address (bounded concurrency), proves each with one 64 B
// round trip of the built-in target's protocol, holds them all for a while watching for any that
// close, proves each again, and reports counts, errors and the RSS growth of the processes on the
// path. Used by the scale entry; closes every socket it opened.

import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { exchangeOnce } from '../../src/net/exchange.js';
import { encodeRequest } from '../../src/protocol/request-response.js';
import type { DialAddress } from '../../src/workloads/types.js';

export interface HoldOptions {
  dialAddress: DialAddress;
  connections: number;
  /** Connects (and first round trips) in flight at once. */
  concurrency: number;
  holdMs: number;
  /** Longest wait for one connect + round trip, ms. */
  timeoutMs: number;
  /** Stop opening new connections after this long, ms (the rest count as `notOpened`). */
  openDeadlineMs: number;
  /** Process ids on the path whose RSS growth is attributed to the held connections (by name); their sum is `total`. */
  pids: Record<string, number>;
  /**
   * The process that opened the connections (usually this one): its RSS growth is reported as
   * `client`, never in `total`. Its RSS moves with its own garbage collections (it shrank by ~9 KB
   * per connection during one hold), and the client's sockets are the same on every path.
   */
  clientPid?: number;
  signal: AbortSignal;
  /** Called once every connection is open and proven, before the hold (e.g. heap snapshots). */
  onHeld?: () => Promise<void>;
}

export interface HoldResult {
  /** Connections that passed both round trips and never closed during the hold. */
  held: number;
  errors: number;
  /** Connections not attempted because `openDeadlineMs` passed. */
  notOpened: number;
  /** First few error messages, for the report. */
  errorSamples: string[];
  openMs: number;
  heldMs: number;
  /**
   * RSS growth from before opening to the end of the hold, per connection, bytes, by process name,
   * `total` (the sum over `pids`) and `client` (when `clientPid` was given). Can be negative when a
   * garbage collection returned more than the sockets took.
   */
  rssBytesPerConnection: Record<string, number>;
}

const REQUEST = encodeRequest(64, 64);

/** VmRSS of a process in bytes (Linux /proc); 0 where it cannot be read. */
export async function rssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    return kb === null ? 0 : Number(kb[1]) * 1024;
  } catch {
    return 0;
  }
}

function roundTrip(socket: net.Socket, timeoutMs: number): Promise<void> {
  return exchangeOnce(socket, REQUEST, 64, timeoutMs);
}

function connect(address: DialAddress, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address.host, port: address.port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connect timeout'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function holdConnections(options: HoldOptions): Promise<HoldResult> {
  const sockets: net.Socket[] = [];
  const failed = new Set<net.Socket>();
  const errorSamples: string[] = [];
  let errors = 0;
  let notOpened = 0;
  const fail = (message: string) => {
    errors += 1;
    if (errorSamples.length < 5) errorSamples.push(message);
  };
  const before: Record<string, number> = {};
  for (const [name, pid] of Object.entries(options.pids)) before[name] = await rssBytes(pid);
  const clientBefore = options.clientPid === undefined ? 0 : await rssBytes(options.clientPid);
  const openStart = performance.now();
  try {
    await forEachLimited(Array.from({ length: options.connections }, (_, i) => i), options.concurrency, async () => {
      if (options.signal.aborted || performance.now() - openStart > options.openDeadlineMs) {
        notOpened += 1;
        return;
      }
      let socket: net.Socket | undefined;
      try {
        socket = await connect(options.dialAddress, options.timeoutMs);
        const opened = socket;
        sockets.push(opened);
        opened.on('error', () => undefined);
        await roundTrip(opened, options.timeoutMs);
        opened.once('close', () => {
          if (!failed.has(opened)) {
            failed.add(opened);
            fail('connection closed during the hold');
          }
        });
      } catch (error) {
        // A connection whose first round trip failed is never counted as held.
        if (socket !== undefined) {
          failed.add(socket);
          socket.destroy();
        }
        fail(`open: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    const openMs = performance.now() - openStart;
    await options.onHeld?.();
    const holdStart = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.holdMs);
      options.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    const after: Record<string, number> = {};
    for (const [name, pid] of Object.entries(options.pids)) after[name] = await rssBytes(pid);
    const clientAfter = options.clientPid === undefined ? 0 : await rssBytes(options.clientPid);
    let held = 0;
    await forEachLimited(sockets, options.concurrency, async (socket) => {
      if (failed.has(socket)) return;
      try {
        await roundTrip(socket, options.timeoutMs);
        held += 1;
      } catch (error) {
        failed.add(socket);
        fail(`after hold: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    const heldMs = performance.now() - holdStart;
    const perConnection: Record<string, number> = {};
    let total = 0;
    for (const name of Object.keys(options.pids)) {
      const delta = (after[name] ?? 0) - (before[name] ?? 0);
      total += delta;
      perConnection[name] = Math.round(delta / Math.max(1, sockets.length));
    }
    perConnection['total'] = Math.round(total / Math.max(1, sockets.length));
    if (options.clientPid !== undefined) perConnection['client'] = Math.round((clientAfter - clientBefore) / Math.max(1, sockets.length));
    return { held, errors, notOpened, errorSamples, openMs, heldMs, rssBytesPerConnection: perConnection };
  } finally {
    for (const socket of sockets) {
      failed.add(socket);
      socket.destroy();
    }
  }
}
