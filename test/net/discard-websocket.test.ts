// discardWebSocket (net/message-socket.ts): a WebSocket given up in any state releases its TCP
// socket. The case that used to leak: ws 1.1.5 (inside hyco-ws) terminated while connecting. Its
// upgrade request runs on; when the 101 arrives ws 1.1.5 ends the upgraded socket without reading
// it, so once the server's close frame and FIN are in, the descriptor is held for good (the agent,
// refusing a burst of rendezvous at its connection limit, kept one per refusal). Real sockets on
// 127.0.0.1; the process's own descriptor count (/proc/self/fd) is the measure. Linux only.

import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type MessageSocket, WS_CONNECTING, discardWebSocket } from '../../src/net/message-socket.js';
import { timedMessageSocket } from '../../src/net/timed-socket.js';

/** The ws 1.1.5 class hyco-ws uses (its own nested copy). */
const require = createRequire(import.meta.url);
const Ws1 = createRequire(require.resolve('hyco-ws'))('ws') as new (address: string) => MessageSocket;

const openFds = (): number => readdirSync('/proc/self/fd').length;

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/**
 * A ws 8 server that, on each connection, sends a close frame with a reason at once (bytes a
 * discarded client never reads) and reports when that connection's TCP socket has closed.
 */
async function closingServer(): Promise<{ url: string; nextClosed: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  closers.push(() => wss.close());
  const closed: Array<Promise<void>> = [];
  let announce: (() => void) | undefined;
  const firstConnection = new Promise<void>((resolve) => (announce = resolve));
  wss.on('connection', (ws, request) => {
    closed.push(once(request.socket, 'close').then(() => {}));
    ws.on('error', () => {});
    ws.close(1001, 'bye');
    announce?.();
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    nextClosed: async () => {
      await firstConnection;
      await closed[0];
    },
  };
}

/** A TCP server that accepts and never answers (a handshake that never completes). */
async function silentServer(): Promise<{ url: string; accepted: Promise<Socket> }> {
  const sockets: Socket[] = [];
  let resolveAccepted: (s: Socket) => void = () => {};
  const accepted = new Promise<Socket>((resolve) => (resolveAccepted = resolve));
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    resolveAccepted(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, accepted };
}

describe.runIf(existsSync('/proc/self/fd'))('discardWebSocket releases the TCP socket', () => {
  test('ws 1.1.5 discarded while connecting: its socket is gone once the server has closed its side (terminate alone held it for good)', async () => {
    const server = await closingServer();
    const baseline = openFds();
    const ws = new Ws1(server.url);
    expect(ws.readyState).toBe(WS_CONNECTING);
    discardWebSocket(ws);
    await server.nextClosed();
    expect(openFds()).toBe(baseline);
  });

  test('ws 1.1.5 discarded when open: its socket is released at once, without waiting out the 30 s close timeout', async () => {
    const server = await closingServer();
    const baseline = openFds();
    const ws = new Ws1(server.url);
    ws.on('error', () => {});
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    // Open, or already answering the server's close frame (which came with the 101).
    expect(ws.readyState).not.toBe(WS_CONNECTING);
    discardWebSocket(ws);
    await server.nextClosed();
    expect(openFds()).toBe(baseline);
  });

  test('ws 8 discarded while connecting, also behind a timed leg: the handshake is aborted at once (the server never answers)', async () => {
    for (const wrap of [(ws: MessageSocket) => ws, (ws: MessageSocket) => timedMessageSocket(ws, { oneWayDelayMs: 1 })]) {
      const server = await silentServer();
      const baseline = openFds();
      const raw = new WebSocket(server.url);
      raw.on('error', () => {});
      const ws = wrap(raw as unknown as MessageSocket);
      // (events.once would reject on the 'error' that ws 8 emits before its 'close' here.)
      const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
      // The server has the connection, so the handshake is really in progress when it is given up.
      const accepted = await server.accepted;
      expect(ws.readyState).toBe(WS_CONNECTING);
      discardWebSocket(ws);
      await closed;
      await once(accepted, 'close');
      accepted.destroy();
      expect(openFds()).toBe(baseline);
    }
  });
});
