// Hand-driven relay peers for tests that hyco-ws cannot express: a ws 8 listener that sees raw
// `accept` commands, ws 8 senders that report refusals, and raw TCP handshakes. Test-only.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import WebSocket from 'ws';

/** The `accept` command a listener receives. */
export interface AcceptCommand {
  address: string;
  id: string;
  connectHeaders: Record<string, string>;
  remoteEndpoint?: { address: string; port: number };
}

export interface RawListener {
  ws: WebSocket;
  /** Resolves with the next `accept` (queued if it already arrived). */
  nextAccept(): Promise<AcceptCommand>;
  /** Resolves with the close code and reason of the control channel. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a control channel with ws 8, token in the `ServiceBusAuthorization` header. */
export async function openRawListener(listenUri: string, token: string, options: { ca?: string } = {}): Promise<RawListener> {
  const ws = new WebSocket(listenUri, {
    headers: { ServiceBusAuthorization: token },
    perMessageDeflate: false,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  ws.on('error', () => {});
  const queue: AcceptCommand[] = [];
  const waiters: ((command: AcceptCommand) => void)[] = [];
  ws.on('message', (data: WebSocket.RawData) => {
    const command = (JSON.parse(data.toString()) as { accept?: AcceptCommand }).accept;
    if (command === undefined) return;
    const waiter = waiters.shift();
    if (waiter === undefined) queue.push(command);
    else waiter(command);
  });
  const closed = once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  await once(ws, 'open');
  return {
    ws,
    closed,
    nextAccept: () => {
      const queued = queue.shift();
      return queued === undefined ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve(queued);
    },
  };
}

/** How a ws 8 handshake ended: open, refused with an HTTP status and reason phrase, or failed below HTTP. */
export type Ws8Outcome =
  | { kind: 'open'; ws: WebSocket }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'failed'; message: string };

/** Opens a ws 8 client and reports a refusal instead of throwing. */
export async function openWs8(
  url: string,
  options: { token?: string; protocols?: string[]; headers?: Record<string, string>; ca?: string } = {},
): Promise<Ws8Outcome> {
  const headers = { ...options.headers, ...(options.token === undefined ? {} : { ServiceBusAuthorization: options.token }) };
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers,
    perMessageDeflate: false,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  return new Promise((resolve) => {
    ws.on('error', (error: Error) => resolve({ kind: 'failed', message: error.message }));
    ws.once('open', () => resolve({ kind: 'open', ws }));
    ws.once('unexpected-response', (_request, response) => {
      resolve({ kind: 'refused', status: response.statusCode ?? 0, reason: response.statusMessage ?? '' });
      response.resume();
      ws.terminate();
    });
  });
}

/** Writes `requestText` on a fresh TCP connection and resolves with the status line and what followed. */
export async function rawExchange(port: number, requestText: string | Buffer, timeoutMs = 5000): Promise<{ statusLine: string; text: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'connect');
  socket.write(requestText);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  await once(socket, 'close');
  clearTimeout(timer);
  const text = Buffer.concat(chunks).toString('latin1');
  return { statusLine: text.split('\r\n')[0] ?? '', text };
}

/** A child process running an unmodified hyco-ws listener that retries forever (its hot loop). */
export interface ListenStorm {
  pid: number;
  /** Kills the child by its PID and resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `node` with a hyco-ws listener on `listenUri` with `token` in a separate process, as a
 * misconfigured agent would run; its 'error' handler only counts, so it reconnects with no backoff.
 */
export function startListenStorm(listenUri: string, token: string): ListenStorm {
  const code = [
    "const hyco = require('hyco-ws');",
    'const server = hyco.createRelayedServer({ server: process.env.STORM_URI, token: process.env.STORM_TOKEN });',
    "server.on('error', () => {});",
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const child = spawn(process.execPath, ['-e', code], {
    cwd: process.cwd(),
    env: { ...process.env, STORM_URI: listenUri, STORM_TOKEN: token },
    stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
