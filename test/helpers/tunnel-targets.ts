// Test-only TCP peers for tunnel tests: an echo target, a recording target, and a client that sends
// a payload and hashes what comes back. Everything binds 127.0.0.1:0 and is closed via onTestFinished.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { onTestFinished } from 'vitest';

export interface TestServer {
  address: { host: string; port: number };
  /** Sockets accepted so far (open or closed). */
  sockets: Socket[];
  close(): Promise<void>;
}

/** Starts a TCP server with `onSocket` per connection; closed (sockets destroyed) when the test ends. */
export async function startTestServer(onSocket: (socket: Socket) => void, allowHalfOpen = false): Promise<TestServer> {
  const sockets: Socket[] = [];
  const server: Server = createServer({ allowHalfOpen }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('no port');
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };
  onTestFinished(close);
  return { address: { host: '127.0.0.1', port: bound.port }, sockets, close };
}

/** An echo target: writes back every byte it reads (with backpressure via pipe), ends when the peer ends. */
export function startEchoServer(): Promise<TestServer> {
  return startTestServer((socket) => socket.pipe(socket));
}

/** SHA-256 hex digest of a buffer. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift), so failures are reproducible. */
export function patternBytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Connects to `port` on 127.0.0.1; destroyed at test end. */
export async function connectClient(port: number, allowHalfOpen = false): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen, noDelay: true });
  onTestFinished(() => {
    socket.destroy();
  });
  await once(socket, 'connect');
  return socket;
}

/** Everything a socket delivered until it ended or closed, and how it ended. */
export interface Drained {
  data: Buffer;
  /** 'end' = FIN received; 'error' = reset or other error (code in `errorCode`). */
  how: 'end' | 'error' | 'close';
  errorCode: string | undefined;
}

/** Reads `socket` until 'end' / 'error' / 'close', whichever comes first. */
export function drain(socket: Socket): Promise<Drained> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    const finish = (how: Drained['how'], error?: unknown): void => {
      const errorCode = (error as { code?: string } | undefined)?.code;
      resolve({ data: Buffer.concat(chunks), how, errorCode });
    };
    socket.once('end', () => finish('end'));
    socket.once('error', (error) => finish('error', error));
    socket.once('close', () => finish('close'));
  });
}

/** Sends `payload` over a new connection to `port`, half-closes, and returns what came back. */
export async function roundTripPayload(port: number, payload: Buffer): Promise<Drained> {
  const socket = await connectClient(port, true);
  const received = drain(socket);
  socket.end(payload);
  return received;
}

const STREAM_CHUNK_BYTES = 64 * 1024;

/** Progress of a streamed transfer; `bytes` grows while it runs. */
export interface StreamProgress {
  bytes: number;
  done: Promise<{ bytes: number; sha256: string }>;
}

/**
 * Writes `totalBytes` of deterministic data (64 KiB chunks, each stamped with its index so reordering
 * is detected) honouring backpressure, then ends the socket. Never holds more than one chunk.
 */
export function streamTo(socket: Socket, totalBytes: number, seed = 1): StreamProgress {
  const base = patternBytes(STREAM_CHUNK_BYTES, seed);
  const hash = createHash('sha256');
  const progress: StreamProgress = { bytes: 0, done: Promise.resolve({ bytes: 0, sha256: '' }) };
  progress.done = (async () => {
    for (let index = 0; progress.bytes < totalBytes; index += 1) {
      const length = Math.min(STREAM_CHUNK_BYTES, totalBytes - progress.bytes);
      const chunk = Buffer.from(base.subarray(0, length));
      chunk.writeUInt32BE(index >>> 0, 0);
      hash.update(chunk);
      progress.bytes += length;
      if (!socket.write(chunk)) await once(socket, 'drain');
    }
    socket.end();
    return { bytes: progress.bytes, sha256: hash.digest('hex') };
  })();
  return progress;
}

/** Hashes everything `socket` delivers until it ends; `bytes` grows while it runs. */
export function hashFrom(socket: Socket): StreamProgress {
  const hash = createHash('sha256');
  const progress: StreamProgress = { bytes: 0, done: Promise.resolve({ bytes: 0, sha256: '' }) };
  progress.done = new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      progress.bytes += chunk.length;
    });
    socket.once('end', () => resolve({ bytes: progress.bytes, sha256: hash.digest('hex') }));
    socket.once('error', reject);
  });
  return progress;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, released), for programs that cannot bind port 0 themselves. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
