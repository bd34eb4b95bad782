// The byte pump on its own: a TCP client <-> pump <-> ws 8 client <-> a ws 8 server the test drives
// as the "far side". Covers queueing until open, FIN markers, close-code mapping and backpressure.

import { once } from 'node:events';
import { hrtime } from 'node:process';
import { type Socket, createServer } from 'node:net';
import { onTestFinished, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type Pump, type PumpOptions, createPump } from '../../src/tunnel/pump.js';
import type { MessageSocket } from '../../src/net/message-socket.js';
import { connectClient, drain, patternBytes, sha256 } from '../helpers/tunnel-targets.js';

interface PumpRig {
  client: Socket;
  far: WebSocket;
  pump: Pump;
  /** The pump's own ends: the accepted TCP socket and its WebSocket client. */
  local: Socket;
  near: WebSocket;
}

/** Starts a far-side ws 8 server (accepting after `acceptDelayMs`) and a TCP port whose connection is pumped to it. */
async function startRig(acceptDelayMs = 0, options: PumpOptions = {}): Promise<PumpRig> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    verifyClient: (_info, done) => setTimeout(() => done(true), acceptDelayMs),
  });
  await once(wss, 'listening');
  const wssPort = (wss.address() as { port: number }).port;
  const farSocket = once(wss, 'connection') as Promise<[WebSocket]>;
  let pump: Pump | undefined;
  let ends: { local: Socket; near: WebSocket } | undefined;
  const tcp = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    const ws = new WebSocket(`ws://127.0.0.1:${wssPort}/`, { perMessageDeflate: false });
    ends = { local: socket, near: ws };
    pump = createPump(socket, ws as unknown as MessageSocket, options);
  });
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  onTestFinished(async () => {
    pump?.abort();
    await pump?.done;
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    await new Promise((r) => tcp.close(r));
  });
  const client = await connectClient((tcp.address() as { port: number }).port, true);
  const [far] = await farSocket;
  await expect.poll(() => pump !== undefined).toBe(true);
  return { client, far, pump: pump as Pump, ...(ends as { local: Socket; near: WebSocket }) };
}

function collectMessages(ws: WebSocket): Buffer[] {
  const messages: Buffer[] = [];
  ws.on('message', (data: Buffer) => messages.push(data));
  return messages;
}

describe('createPump', () => {
  test('queues TCP bytes until the WebSocket opens, then sends them as binary messages', async () => {
    const rig = await startRig(150);
    const messages = collectMessages(rig.far);
    const payload = patternBytes(300_000, 5);

    rig.client.write(payload);
    await expect.poll(() => Buffer.concat(messages).length, { timeout: 10_000 }).toBe(payload.length);

    expect(sha256(Buffer.concat(messages))).toBe(sha256(payload));
    expect(rig.pump.counters.bytesToRelay).toBe(payload.length);
    expect(rig.pump.counters.messagesToRelay).toBe(messages.length);
  });

  test('TCP FIN becomes an empty message; the other direction keeps flowing until the far FIN', async () => {
    const rig = await startRig();
    const messages = collectMessages(rig.far);
    const clientSide = drain(rig.client);
    const farClosed = once(rig.far, 'close');

    rig.client.end(Buffer.from('request'));
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[0]?.toString()).toBe('request');
    expect(messages[1]?.length).toBe(0);
    expect(rig.far.readyState).toBe(WebSocket.OPEN);
    rig.far.send(Buffer.from('late answer'), { binary: true });
    rig.far.send(Buffer.alloc(0), { binary: true });

    const received = await clientSide;
    expect(received).toMatchObject({ how: 'end' });
    expect(received.data.toString()).toBe('late answer');
    const [code] = (await farClosed) as [number];
    expect(code).toBe(1000);
    const outcome = await rig.pump.done;
    expect(outcome).toMatchObject({ end: 'fin-local', error: undefined });
  });

  test.each([
    [1000, 'end', 'fin-remote', undefined],
    [4003, 'end', 'fin-remote', undefined],
    [4000, 'error', 'reset-remote', 'reset-remote'],
    [4002, 'error', 'reset-remote', 'target-unreachable'],
    [1011, 'error', 'reset-remote', 'reset-remote'],
  ] as const)('far close %i ends the TCP client with %s', async (code, how, end, error) => {
    const rig = await startRig();
    const clientSide = drain(rig.client);

    rig.far.close(code, 'test');

    expect((await clientSide).how).toBe(how);
    rig.client.end();
    await expect(rig.pump.done).resolves.toMatchObject({ end, error, closeCode: code });
  });

  test('a TCP reset closes the WebSocket with 4000', async () => {
    const rig = await startRig();
    const farClosed = once(rig.far, 'close');
    rig.client.write('x');
    await once(rig.far, 'message');

    rig.client.resetAndDestroy();

    const [code] = (await farClosed) as [number];
    expect(code).toBe(4000);
    await expect(rig.pump.done).resolves.toMatchObject({ end: 'reset-local', error: 'reset-local' });
  });

  test('a TCP client that does not read pauses the WebSocket; all bytes arrive once it reads', async () => {
    const rig = await startRig();
    rig.client.pause();
    const chunks = Array.from({ length: 256 }, (_, i) => patternBytes(64 * 1024, i + 1));

    for (const chunk of chunks) rig.far.send(chunk, { binary: true });
    await expect.poll(() => rig.pump.isRelayPaused(), { timeout: 10_000 }).toBe(true);
    const pausedAt = rig.pump.counters.bytesFromRelay;
    rig.far.send(Buffer.alloc(0), { binary: true });
    const received = drain(rig.client);
    rig.client.resume();

    const data = (await received).data;
    expect(pausedAt).toBeLessThan(16 * 1024 * 1024);
    expect(rig.pump.counters.relayReadPauses).toBeGreaterThan(0);
    expect(sha256(data)).toBe(sha256(Buffer.concat(chunks)));
  });

  test('closes an idle connection: close 4003 to the far side, FIN to the client', async () => {
    const rig = await startRig(0, { idleTimeoutMs: 250 });
    const farClosed = once(rig.far, 'close');
    const clientSide = drain(rig.client);
    rig.client.write('wake');
    await once(rig.far, 'message');

    const [code] = (await farClosed) as [number];

    expect(code).toBe(4003);
    expect((await clientSide).how).toBe('end');
    rig.client.end();
    await expect(rig.pump.done).resolves.toMatchObject({ end: 'idle', error: 'idle-timeout' });
  });

  test('records one hop time per message in each direction', async () => {
    const hops = { toRelay: 0, fromRelay: 0 };
    const rig = await startRig(0, { onHop: (direction) => (hops[direction] += 1) });
    const messages = collectMessages(rig.far);

    rig.client.write('a');
    await expect.poll(() => messages.length).toBe(1);
    rig.far.send(Buffer.from('b'), { binary: true });
    await once(rig.client, 'data');

    expect(hops).toEqual({ toRelay: rig.pump.counters.messagesToRelay, fromRelay: rig.pump.counters.messagesFromRelay });
    expect(hops.fromRelay).toBe(1);
  });

  test('a hop ends when the message is handed to the next socket, not when that write returns', async () => {
    // The injected clock jumps 1 s inside every write, after the bytes reached the kernel: it stands
    // for this process losing its CPU to the reader the write woke (seen on a 2-core machine with
    // the relay spinning on its hold), which delays nothing but the write's own return.
    const jumpNs = 1_000_000_000n;
    let offsetNs = 0n;
    const hops = { toRelay: [] as bigint[], fromRelay: [] as bigint[] };
    const rig = await startRig(0, { nowNs: () => hrtime.bigint() + offsetNs, onHop: (direction, ns) => hops[direction].push(ns) });
    await expect.poll(() => rig.near.readyState).toBe(WebSocket.OPEN);
    const jumpAfterWrites = (socket: Socket): void => {
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        const isAccepted = write(...args);
        offsetNs += jumpNs;
        return isAccepted;
      }) as typeof socket.write;
    };
    jumpAfterWrites((rig.near as unknown as { _socket: Socket })._socket);
    jumpAfterWrites(rig.local);
    const messages = collectMessages(rig.far);

    rig.client.write('a');
    await expect.poll(() => messages.length).toBe(1);
    rig.far.send(Buffer.from('b'), { binary: true });
    await once(rig.client, 'data');

    expect(offsetNs).toBeGreaterThanOrEqual(2n * jumpNs); // both writes jumped: the bound below can fail
    expect([hops.toRelay.length, hops.fromRelay.length]).toEqual([1, 1]);
    for (const ns of [...hops.toRelay, ...hops.fromRelay]) {
      expect(ns).toBeGreaterThanOrEqual(0n);
      expect(ns).toBeLessThan(jumpNs);
    }
  });

  test('with halfClose off, a TCP FIN closes the WebSocket (1000) and empty messages are ignored', async () => {
    const rig = await startRig(0, { halfClose: false });
    const messages = collectMessages(rig.far);
    const farClosed = once(rig.far, 'close');
    const clientSide = drain(rig.client);

    rig.far.send(Buffer.alloc(0), { binary: true });
    rig.far.send(Buffer.from('data'), { binary: true });
    await once(rig.client, 'data');
    rig.client.end(Buffer.from('bye'));

    const [code] = (await farClosed) as [number];
    expect(code).toBe(1000);
    expect(messages.map((m) => m.toString())).toEqual(['bye']);
    expect(await clientSide).toMatchObject({ how: 'end' });
    await expect(rig.pump.done).resolves.toMatchObject({ end: 'fin-local', error: undefined });
  });
});
