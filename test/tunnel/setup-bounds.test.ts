// The bounds on connection setup (issue #13): the setup gate (FIFO semaphore), the open-file
// budget, the hold that reads a client during setup, and abandoning a sender's handshake on both
// client stacks against a real server that never answers the upgrade.

import { once } from 'node:events';
import { type Socket, createServer } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createConnectionTracker } from '../../src/tunnel/connection-tracker.js';
import { FD_RESERVE, connectionsWithinFdLimit, openFileLimit } from '../../src/tunnel/fd-limit.js';
import { type Pump, createPump } from '../../src/tunnel/pump.js';
import type { MessageSocket } from '../../src/net/message-socket.js';
import { openSender } from '../../src/tunnel/sender-socket.js';
import { createSetupGate } from '../../src/tunnel/setup-gate.js';
import { clientStacks } from '../../src/tunnel/client-stack.js';
import { connectClient, startTestServer } from '../helpers/tunnel-targets.js';

describe('createSetupGate', () => {
  test('runs at most `limit` at once, the rest in arrival order; cancel takes a waiter out; release is idempotent', () => {
    const gate = createSetupGate(2);
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const enter = (id: number): (() => void) => gate.enter((release) => (started.push(id), releases.push(release)));
    enter(1);
    enter(2);
    enter(3);
    const cancel4 = enter(4);
    enter(5);
    expect({ started, running: gate.running(), waiting: gate.waiting() }).toEqual({ started: [1, 2], running: 2, waiting: 3 });
    cancel4();
    releases[0]?.();
    releases[0]?.();
    expect({ started, running: gate.running(), waiting: gate.waiting() }).toEqual({ started: [1, 2, 3], running: 2, waiting: 1 });
    releases[1]?.();
    expect(started).toEqual([1, 2, 3, 5]);
    for (const release of releases) release();
    expect({ running: gate.running(), waiting: gate.waiting() }).toEqual({ running: 0, waiting: 0 });
    expect(() => createSetupGate(0)).toThrow(RangeError);
  });
});

describe('open-file budget', () => {
  const limits = (value: string): string => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${value}                ${value}                files\n`;
  test('reads the soft limit and leaves the reserve free at two descriptors a connection', () => {
    expect(openFileLimit(limits('256'))).toBe(256);
    expect(openFileLimit(limits('unlimited'))).toBeUndefined();
    expect(openFileLimit('garbage')).toBeUndefined();
    expect(connectionsWithinFdLimit(256)).toBe((256 - FD_RESERVE) / 2);
    expect(connectionsWithinFdLimit(10)).toBe(1);
    expect(connectionsWithinFdLimit(undefined)).toBeUndefined();
    if (process.platform === 'linux') expect(openFileLimit()).toBeGreaterThan(0);
  });
});

describe('connection tracker with waiting connections', () => {
  test('a waiting connection is accepted and active until settled; abortAll ends it through its abort', async () => {
    const tracker = createConnectionTracker();
    let aborted = 0;
    const waiting = tracker.enter(() => {
      aborted += 1;
      setImmediate(() => waiting.settle(undefined));
    });
    tracker.enter(() => {}).settle('connection-limit');
    expect(tracker.snapshot()).toMatchObject({ connectionsAccepted: 2, connectionsActive: 1, connectionsFailed: 1, errors: { 'connection-limit': 1 } });
    await tracker.abortAll();
    expect({ aborted, active: tracker.activeCount() }).toEqual({ aborted: 1, active: 0 });
  });
});

/** A WebSocket server whose upgrades are never answered; resolves each upgrade request's socket. */
async function startSilentUpgradeServer(): Promise<{ port: number; nextSocket: () => Promise<Socket> }> {
  const server = createServer();
  const pending: Socket[] = [];
  const waiters: ((socket: Socket) => void)[] = [];
  server.on('connection', (socket) => {
    socket.on('error', () => {});
    const waiter = waiters.shift();
    if (waiter === undefined) pending.push(socket);
    else waiter(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  return { port, nextSocket: () => new Promise<Socket>((resolve) => (pending.length > 0 ? resolve(pending.shift() as Socket) : waiters.push(resolve))) };
}

describe.each(clientStacks)('abandoning a sender handshake (%s)', (stack) => {
  test('abortHandshake closes the WebSocket and the upgrade request socket at once', async () => {
    const server = await startSilentUpgradeServer();
    const sender = openSender(stack, `ws://127.0.0.1:${server.port}/$hc/hc1?sb-hc-action=connect`, 'token');
    sender.ws.on('error', () => {});
    const serverSide = await server.nextSocket();
    const serverSideClosed = once(serverSide, 'close');
    // Not events.once: ws 8 emits 'error' first, which would reject it.
    const wsClosed = new Promise<void>((resolve) => sender.ws.on('close', () => resolve()));
    sender.abortHandshake();
    // Without the abort, ws 1.1.5 keeps this socket until the server answers (here: never).
    await Promise.all([wsClosed, serverSideClosed]);
    expect(sender.ws.readyState).toBe(3);
  });
});

/** A TCP port whose connections are pumped to a ws 8 WebSocket whose server answers only when told. */
async function startHeldRig(): Promise<{ client: Socket; pump: Pump; near: WebSocket; answer: () => void; farMessages: Buffer[]; farUpgrades: () => number }> {
  let answer: () => void = () => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let upgrades = 0;
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    verifyClient: (_info, done) => void answered.then(() => done(true)),
  });
  await once(wss, 'listening');
  const farMessages: Buffer[] = [];
  wss.on('connection', (far) => {
    upgrades += 1;
    far.on('message', (data: Buffer) => farMessages.push(data));
  });
  const wssPort = (wss.address() as { port: number }).port;
  let rig: { pump: Pump; near: WebSocket } | undefined;
  const pumped = new Promise<void>((resolve) => {
    const tcp = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      const near = new WebSocket(`ws://127.0.0.1:${wssPort}/`, { perMessageDeflate: false });
      near.on('error', () => {});
      const pump = createPump(socket, near as unknown as MessageSocket, { abortHandshake: () => near.terminate() });
      rig = { pump, near };
      resolve();
    });
    tcp.listen(0, '127.0.0.1', () => {
      void connectClient((tcp.address() as { port: number }).port, true).then((client) => (clientSocket = client));
    });
    onTestFinished(async () => {
      answer();
      rig?.pump.abort();
      await rig?.pump.done;
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise((r) => tcp.close(r));
    });
  });
  let clientSocket: Socket | undefined;
  await pumped;
  await expect.poll(() => clientSocket !== undefined).toBe(true);
  const { pump, near } = rig as { pump: Pump; near: WebSocket };
  return { client: clientSocket as Socket, pump, near, answer, farMessages, farUpgrades: () => upgrades };
}

describe('the pump during setup', () => {
  test('a client reset while the WebSocket connects ends the connection at once and abandons the handshake', async () => {
    const rig = await startHeldRig();
    rig.client.resetAndDestroy();
    const outcome = await rig.pump.done;
    expect({ end: outcome.end, error: outcome.error, ws: rig.near.readyState }).toEqual({ end: 'reset-local', error: 'reset-local', ws: WebSocket.CLOSED });
    rig.answer();
    expect(rig.farUpgrades()).toBe(0);
  });

  test('bytes and a FIN sent during setup arrive in order once the WebSocket opens', async () => {
    const rig = await startHeldRig();
    rig.client.write('first ');
    rig.client.end('second');
    // The FIN is read during setup (the hold), yet the connection stays up for the answer.
    await expect.poll(() => rig.client.writableEnded).toBe(true);
    rig.answer();
    await expect.poll(() => rig.farMessages.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const data = Buffer.concat(rig.farMessages.slice(0, -1)).toString();
    expect({ data, finMarker: rig.farMessages.at(-1)?.length }).toEqual({ data: 'first second', finMarker: 0 });
  });
});
