// A timed leg's end may release what it holds earlier than due by `releaseEarlyUs` (the agent: its
// hop to the target after a hold costs more than at zero distance), never before arrival. Real ws 8
// sockets on 127.0.0.1; the clock is injected (both ends share it), so the assertions are about
// order against the clock, not about how fast this machine is.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { MessageSocket } from '../../src/net/message-socket.js';
import { timedMessageSocket } from '../../src/net/timed-socket.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A connected ws 8 pair: [client, server side]. */
async function wsPair(): Promise<[WebSocket, WebSocket]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await once(client, 'open');
  const [peer] = await accepted;
  cleanups.push(async () => {
    client.terminate();
    peer.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return [client, peer];
}

describe('timed leg released early', () => {
  test('a hold with releaseEarlyUs releases at due − early, one without at due, on the same clock', async () => {
    let clockUs = 1_000_000;
    const clock = { nowUs: () => clockUs };
    const senders: MessageSocket[] = [];
    const arrivals: Promise<void>[] = [];
    const released: { early: number[]; plain: number[] } = { early: [], plain: [] };
    const onRelease = { early: () => {}, plain: () => {} };
    for (const kind of ['early', 'plain'] as const) {
      const [client, peer] = await wsPair();
      senders.push(timedMessageSocket(client as unknown as MessageSocket, { oneWayDelayMs: 10 }, undefined, clock));
      const holder = timedMessageSocket(peer as unknown as MessageSocket, kind === 'early' ? { releaseEarlyUs: 3000 } : {}, undefined, clock);
      holder.on('message', () => {
        released[kind].push(clockUs);
        onRelease[kind]();
      });
      // The data message (longer than a hand-off probe, which is the 16-byte stamp alone) reached the holder.
      arrivals.push(new Promise((resolve) => peer.on('message', (data: Buffer) => data.length > 16 && resolve())));
    }
    const delivered = (kind: 'early' | 'plain') =>
      new Promise<void>((resolve, reject) => {
        if (released[kind].length > 0) return resolve();
        const deadline = setTimeout(() => reject(new Error(`${kind} not released within 5 s`)), 5000);
        onRelease[kind] = () => {
          clearTimeout(deadline);
          resolve();
        };
      });
    // Sent at 1 s on the shared clock: due at 1.010 s; hand-offs take 0 on a frozen clock.
    for (const sender of senders) sender.send(Buffer.from('x'), { binary: true });
    await Promise.all(arrivals); // arrived at 1 s: hand-off 0, so the release is due − early exactly
    clockUs += 7000; // due − 3 ms
    await delivered('early');
    expect(released.early).toEqual([1_007_000]);
    // The plain hold cannot have released: its due time has not come on this clock.
    expect(released.plain).toEqual([]);
    clockUs += 3000;
    await delivered('plain');
    expect(released.plain).toEqual([1_010_000]);
  });

  test('never before the message arrived, however large releaseEarlyUs is', async () => {
    let clockUs = 5_000_000;
    const clock = { nowUs: () => clockUs };
    const [client, peer] = await wsPair();
    const sender = timedMessageSocket(client as unknown as MessageSocket, { oneWayDelayMs: 1 }, undefined, clock);
    const holder = timedMessageSocket(peer as unknown as MessageSocket, { releaseEarlyUs: 60_000_000 }, undefined, clock);
    const arrivedAt: number[] = [];
    const got = new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('not released within 5 s')), 5000);
      holder.on('message', () => {
        clearTimeout(deadline);
        arrivedAt.push(clockUs);
        resolve();
      });
    });
    sender.send(Buffer.from('y'), { binary: true });
    await got;
    expect(arrivedAt).toEqual([5_000_000]);
  });
});
