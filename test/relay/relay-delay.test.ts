// Per-leg network distance on the relay: delay on both legs in both directions, jitter without
// reordering, bandwidth cap, and the handshake cost of the legs. Lower bounds only (invariants).

import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { sampleTraversalsMs } from '../../src/net/delay-line.js';
import { handshakeTraversals } from '../../src/relay/upgrade-routes.js';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { openWs8 } from '../helpers/relay-raw.js';
import type { HycoMessageFlags, HycoSocket } from '../helpers/relay-hyco.js';

function echo(ws: HycoSocket): void {
  ws.on('message', (data: string | Buffer, flags: HycoMessageFlags) => ws.send(data, { binary: flags.binary === true }));
}

describe('relay emulator network distance', () => {
  test('adds both legs one way in each direction to every round trip, and to the rendezvous', async () => {
    const fixture = await startRelayFixture({
      delays: { senderLeg: { oneWayDelayMs: 4 }, listenerLeg: { oneWayDelayMs: 6 } },
    });
    await fixture.listen(echo);

    const connectStartMs = performance.now();
    const sender = await openWs8(fixture.connectUri, { token: fixture.token() });
    const connectMs = performance.now() - connectStartMs;
    if (sender.kind !== 'open') throw new Error('sender refused');
    fixture.track(sender.ws);
    const roundTripsMs: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      const startMs = performance.now();
      const reply = once(sender.ws, 'message');
      sender.ws.send(`ping ${index}`);
      expect(String((await reply)[0])).toBe(`ping ${index}`);
      roundTripsMs.push(performance.now() - startMs);
    }

    // 2 × (4 + 6) ms per round trip; sender handshake 2 × 4, accept message 6, accept request 6.
    expect(Math.min(...roundTripsMs)).toBeGreaterThanOrEqual(20 - 0.1);
    expect(connectMs).toBeGreaterThanOrEqual(8 + 6 + 6 - 0.1);
  });

  test('handshakeRoundTrips: every new WebSocket first pays that many round trips of its leg; messages pay nothing more', async () => {
    const fixture = await startRelayFixture({
      delays: { senderLeg: { oneWayDelayMs: 4 }, listenerLeg: { oneWayDelayMs: 6 }, handshakeRoundTrips: 2 },
    });
    const listenStartMs = performance.now();
    await fixture.listen(echo);
    const listenMs = performance.now() - listenStartMs;

    const connectStartMs = performance.now();
    const sender = await openWs8(fixture.connectUri, { token: fixture.token() });
    const connectMs = performance.now() - connectStartMs;
    if (sender.kind !== 'open') throw new Error('sender refused');
    fixture.track(sender.ws);
    const startMs = performance.now();
    const reply = once(sender.ws, 'message');
    sender.ws.send('ping');
    expect(String((await reply)[0])).toBe('ping');
    const roundTripMs = performance.now() - startMs;

    // listen: 2 round trips + its upgrade, 6 × 6 ms. connect: sender 2 round trips + upgrade (6 × 4),
    // accept message 6, listener's rendezvous 2 round trips + its request (5 × 6): 24 + 6 + 30.
    expect(listenMs).toBeGreaterThanOrEqual(36 - 0.1);
    expect(connectMs).toBeGreaterThanOrEqual(60 - 0.1);
    expect(roundTripMs).toBeGreaterThanOrEqual(20 - 0.1);
  });

  test('handshakeTraversals: one-way crossings of each action\'s leg, two per handshake round trip', () => {
    expect(handshakeTraversals('connect', 0)).toEqual({ leg: 'senderLeg', traversals: 2 });
    expect(handshakeTraversals('connect', 2)).toEqual({ leg: 'senderLeg', traversals: 6 });
    expect(handshakeTraversals('accept', 2)).toEqual({ leg: 'listenerLeg', traversals: 5 });
    expect(handshakeTraversals('request', 1)).toEqual({ leg: 'listenerLeg', traversals: 3 });
    expect(handshakeTraversals('listen', 1)).toEqual({ leg: 'listenerLeg', traversals: 4 });
    expect(handshakeTraversals('bogus', 2)).toBeUndefined();
    // Each crossing samples its own jitter: 6 crossings of 4 ms + U·2 ms with U = 0.5 → 6 × 5 ms.
    expect(sampleTraversalsMs({ oneWayDelayMs: 4, jitterMs: 2 }, 6, () => 0.5)).toBe(30);
    expect(sampleTraversalsMs(undefined, 6)).toBe(0);
  });

  test('setDelays applies to connections opened afterwards and leaves running ones alone', async () => {
    const fixture = await startRelayFixture();
    await fixture.listen(echo);
    const roundTripMs = async (ws: import('ws').WebSocket): Promise<number> => {
      const startMs = performance.now();
      const reply = once(ws, 'message');
      ws.send('ping');
      await reply;
      return performance.now() - startMs;
    };
    const before = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (before.kind !== 'open') throw new Error('sender refused');
    fixture.track(before.ws);

    fixture.relay.setDelays({ senderLeg: { oneWayDelayMs: 15 } });
    const after = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (after.kind !== 'open') throw new Error('sender refused');
    fixture.track(after.ws);
    const afterMs = await roundTripMs(after.ws);
    const beforeMs: number[] = [];
    for (let index = 0; index < 5; index += 1) beforeMs.push(await roundTripMs(before.ws));

    // 2 × 15 ms on the new connection; the old one stays unshaped (its best of 5 is far below).
    expect(afterMs).toBeGreaterThanOrEqual(30 - 0.1);
    expect(Math.min(...beforeMs)).toBeLessThan(30);
  });

  test('keeps message order under heavy jitter', async () => {
    const fixture = await startRelayFixture({
      delays: { senderLeg: { oneWayDelayMs: 1, jitterMs: 15 }, listenerLeg: { oneWayDelayMs: 0, jitterMs: 15 } },
    });
    const received: string[] = [];
    await fixture.listen((ws) => ws.on('message', (data: string | Buffer) => received.push(String(data))));
    const sender = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (sender.kind !== 'open') throw new Error('sender refused');
    fixture.track(sender.ws);

    const sent = Array.from({ length: 200 }, (_, index) => `m${index}`);
    for (const message of sent) sender.ws.send(message);

    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(200);
    expect(received).toEqual(sent);
  });

  test('caps bandwidth per leg: 200 kB over a 1 MB/s sender leg takes at least 0.2 s', async () => {
    const fixture = await startRelayFixture({ delays: { senderLeg: { oneWayDelayMs: 0, bandwidthBytesPerSec: 1_000_000 } } });
    let receivedBytes = 0;
    await fixture.listen((ws) => ws.on('message', (data: Buffer) => (receivedBytes += data.length)));
    const sender = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (sender.kind !== 'open') throw new Error('sender refused');
    fixture.track(sender.ws);

    const startMs = performance.now();
    for (let index = 0; index < 20; index += 1) sender.ws.send(Buffer.alloc(10_000, index));
    await expect.poll(() => receivedBytes, { timeout: 10_000, interval: 5 }).toBe(200_000);
    const elapsedMs = performance.now() - startMs;

    expect(elapsedMs).toBeGreaterThanOrEqual(200 - 1);
  });

  test('delivers a close after the data it follows', async () => {
    const fixture = await startRelayFixture({ delays: { senderLeg: { oneWayDelayMs: 20 } } });
    const events: string[] = [];
    const closed = new Promise<void>((resolve) => {
      void fixture.listen((ws) => {
        ws.on('message', (data: string | Buffer) => events.push(String(data)));
        ws.on('close', (code: number) => {
          events.push(`close ${code}`);
          resolve();
        });
      });
    });
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);
    const sender = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (sender.kind !== 'open') throw new Error('sender refused');
    fixture.track(sender.ws);

    sender.ws.send('last words');
    sender.ws.close(4000, 'done');
    await closed;

    expect(events).toEqual(['last words', 'close 4000']);
  });
});
