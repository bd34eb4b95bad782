// NTP-free clock offset between shards: one shard answers (`--clock-serve`), the others measure
// against it (`--clock-ref`) with request/response exchanges (Cristian's method). Each exchange
// is a 1-byte request and a 24-byte reply: the responder's wall clock (float64 epoch ms, with
// sub-ms precision) and its 16-character id. The exchange with the shortest round trip wins:
// offset = reference − midpoint, uncertainty = half its round trip.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { ClockOffset } from '../metrics/shard-info.js';

const REPLY_BYTES = 24;
const ID_CHARS = 16;

/** This machine's wall clock, epoch ms with sub-millisecond precision. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** This machine's own clock as the reference: shards on one host (one kernel clock) share it. */
export function sameHostClock(): ClockOffset {
  let id: string;
  try {
    id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 64);
  } catch {
    id = hostname();
  }
  return { reference: `host ${id}`, method: 'same-host', offsetMs: 0, uncertaintyMs: 0, exchanges: 0 };
}

/** A running clock responder; `reference` is what every shard measuring against it records. */
export interface ClockServer {
  address: string;
  reference: string;
  close(): Promise<void>;
}

/** Answers clock exchanges on `host:port` (port 0: any) until closed. */
export async function serveClock(host: string, port: number): Promise<ClockServer> {
  const id = randomBytes(ID_CHARS / 2).toString('hex');
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      // Bounded: one reply per request byte, at most 64 per chunk.
      for (let i = 0; i < Math.min(chunk.length, 64); i++) {
        const reply = Buffer.alloc(REPLY_BYTES);
        reply.writeDoubleBE(wallClockMs(), 0);
        reply.write(id, 8, 'latin1');
        socket.write(reply);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // The run keeps the process alive; a responder left open must not.
  server.unref();
  const bound = server.address();
  const shown = typeof bound === 'object' && bound !== null ? `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}` : `${host}:${port}`;
  return {
    address: shown,
    reference: `clock-server ${id}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One exchange's figures, ms. */
interface Sample {
  sentMs: number;
  referenceMs: number;
  receivedMs: number;
  id: string;
}

function connectOnce(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, signal });
    socket.once('connect', () => {
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function exchange(socket: Socket, signal: AbortSignal): Promise<Sample> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      if (got.length < REPLY_BYTES) return;
      const receivedMs = wallClockMs();
      cleanup();
      resolve({ sentMs, receivedMs, referenceMs: got.readDoubleBE(0), id: got.toString('latin1', 8, REPLY_BYTES) });
    };
    const onEnd = (error?: Error): void => {
      cleanup();
      reject(error ?? new Error('the clock responder closed the connection'));
    };
    const onAbort = (): void => onEnd(new Error('aborted'));
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onEnd);
      socket.off('close', onEnd);
      signal.removeEventListener('abort', onAbort);
    };
    socket.on('data', onData);
    socket.once('error', onEnd);
    socket.once('close', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
    const sentMs = wallClockMs();
    socket.write(Buffer.of(0x54));
  });
}

/** `host:port` split; IPv6 in brackets. */
function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(address);
  if (match === null) throw new RangeError(`clock reference must be host:port, got ${JSON.stringify(address)}`);
  return { host: match[1] ?? match[2] ?? '', port: Number(match[3]) };
}

/**
 * Measures this clock against the responder at `address` with `exchanges` round trips. Connects
 * again until `timeoutMs` (the serving shard may still be starting). Rejects with the reason when
 * no exchange succeeded in time or `signal` aborts.
 */
export async function measureClockOffset(address: string, options: { exchanges?: number; timeoutMs: number; signal: AbortSignal }): Promise<ClockOffset> {
  const { host, port } = splitAddress(address);
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  let lastError = 'no attempt';
  for (let attempt = 0; attempt < 1000 && !signal.aborted; attempt++) {
    let socket: Socket | undefined;
    try {
      socket = await connectOnce(host, port, signal);
      const samples: Sample[] = [];
      for (let i = 0; i < (options.exchanges ?? 32); i++) samples.push(await exchange(socket, signal));
      const best = samples.reduce((a, b) => (b.receivedMs - b.sentMs < a.receivedMs - a.sentMs ? b : a));
      if (samples.some((s) => s.id !== best.id)) throw new Error('the responder changed its id during the exchanges');
      const halfRtt = (best.receivedMs - best.sentMs) / 2;
      return {
        reference: `clock-server ${best.id}`,
        method: 'exchange',
        offsetMs: best.referenceMs - (best.sentMs + halfRtt),
        uncertaintyMs: halfRtt,
        exchanges: samples.length,
        address,
      };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
    } finally {
      socket?.destroy();
    }
  }
  throw new RangeError(`no clock exchange with ${address} within ${options.timeoutMs} ms (last error: ${lastError})`);
}
