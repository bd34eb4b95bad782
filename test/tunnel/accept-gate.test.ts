// The accept gate (tunnel/accept-gate.ts) between a control channel and its 'message' handler: a
// message is delivered only while the rendezvous + target sockets are below the budget, in order;
// the rest wait, and the channel's socket stops being read while many wait. Real WebSockets on
// 127.0.0.1: a ws 8 server sends a burst of numbered messages to a ws 1.1.5 (hyco-ws's) or ws 8 client.

import { createRequire } from 'node:module';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type GatedChannel, createAcceptGate } from '../../src/tunnel/accept-gate.js';

const require = createRequire(import.meta.url);
const Ws1 = createRequire(require.resolve('hyco-ws'))('ws') as new (address: string) => GatedChannel & { close(): void };

interface Channel extends GatedChannel {
  close(): void;
  terminate(): void;
  _socket: { isPaused(): boolean };
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A ws 8 server that sends `count` messages ("0", "1", …) in one go to each client. */
async function burstServer(count: number): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  closers.push(() => wss.close());
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    for (let i = 0; i < count; i += 1) ws.send(String(i));
  });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

const clients = {
  'ws 1.1.5': (url: string) => new Ws1(url) as unknown as Channel,
  'ws 8': (url: string) => new WebSocket(url) as unknown as Channel,
};

/** Opens a client, registers `handler` as its message handler (as hyco-ws does), then the gate; resolves once `count` messages reached the gate. */
async function gatedClient(kind: keyof typeof clients, count: number, attach: (channel: Channel) => void, handler: (text: string) => void): Promise<Channel> {
  const channel = clients[kind](await burstServer(count));
  closers.push(() => channel.close());
  (channel.on as (event: string, listener: (data: unknown) => void) => void)('message', (data) => handler(String((data as { data?: unknown }).data ?? data)));
  attach(channel);
  let arrived = 0;
  let allArrived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allArrived = resolve));
  channel.on('message', () => {
    arrived += 1;
    if (arrived === count) allArrived();
  });
  await done;
  return channel;
}

describe.each(Object.keys(clients) as Array<keyof typeof clients>)('accept gate on a %s control channel', (kind) => {
  test('delivers in order only while the sockets are below the budget; each release lets one more through', async () => {
    const gate = createAcceptGate({ budget: 3, targets: () => 0 });
    const delivered: string[] = [];
    const releases: Array<() => void> = [];
    await gatedClient(kind, 20, (c) => gate.attach(c), (text) => {
      delivered.push(text);
      releases.push(gate.opened());
    });
    expect(delivered).toEqual(['0', '1', '2']);
    expect(gate.stats()).toEqual({ queued: 17, peakQueued: 17, delayed: 17 });
    releases[0]?.();
    releases[0]?.(); // a release counts once
    expect(delivered).toHaveLength(4);
    for (let i = 1; i < 20; i += 1) releases[i]?.();
    expect(delivered).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(gate.stats().queued).toBe(0);
  });

  test('target sockets count too: nothing goes while they fill the budget, all after they closed', async () => {
    let targets = 4;
    const gate = createAcceptGate({ budget: 4, targets: () => targets });
    const delivered: string[] = [];
    await gatedClient(kind, 6, (c) => gate.attach(c), (text) => delivered.push(text));
    expect(delivered).toEqual([]);
    gate.changed();
    expect(delivered).toEqual([]);
    targets = 0;
    gate.changed();
    expect(delivered).toHaveLength(6);
  });

  test('reading pauses while many wait, and reads on at stop()', async () => {
    const gate = createAcceptGate({ budget: 0, targets: () => 0, maxQueued: 4 });
    const channel = await gatedClient(kind, 10, (c) => gate.attach(c), () => {});
    expect(gate.stats().queued).toBe(10);
    expect(channel._socket.isPaused()).toBe(true);
    gate.stop();
    expect(channel._socket.isPaused()).toBe(false);
    expect(gate.stats().queued).toBe(10); // still within the budget: stop() only reads on
  });

  test('a channel that closed while paused: reading on again is skipped, not thrown (ws 1.1.5 throws on a closed socket)', async () => {
    const gate = createAcceptGate({ budget: 0, targets: () => 0, maxQueued: 4 });
    const channel = await gatedClient(kind, 10, (c) => gate.attach(c), () => {});
    expect(channel._socket.isPaused()).toBe(true);
    const closed = new Promise<void>((resolve) => (channel.on as (event: string, listener: () => void) => void)('close', resolve));
    channel.terminate(); // a paused socket would not read the server's close frame
    await closed;
    expect(() => gate.stop()).not.toThrow();
    expect(gate.stats().queued).toBe(10);
  });

  test('a channel attached twice is gated once', async () => {
    const gate = createAcceptGate({ budget: 100, targets: () => 0 });
    const delivered: string[] = [];
    let handlers = 0;
    await gatedClient(kind, 5, (c) => {
      gate.attach(c);
      gate.attach(c);
      handlers = c.listeners('message').length;
    }, (text) => delivered.push(text));
    expect(handlers).toBe(1);
    expect(delivered).toEqual(['0', '1', '2', '3', '4']);
  });
});
