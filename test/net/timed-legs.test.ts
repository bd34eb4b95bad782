// Timed legs (net/timed-socket.ts, relay bridge `timedLegs`): the receiving process holds each
// message until the due time its sender stamped. Invariants only: never released before due,
// order kept, every traversal counted where it was held (4 per round trip on a relay path),
// and what a delay line holds is released no earlier than due (lateness >= 0).

import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { createDelayLine, createDueTimes } from '../../src/net/delay-line.js';
import { BURST_GAP_US, DUE_PREFIX_BYTES, createQueueTracker, readDue, stampDue } from '../../src/net/timed-socket.js';
import { createHandOffFloor } from '../../src/net/hand-off-floor.js';
import { sharedNowUs } from '../../src/net/shared-clock.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { encodeRequest } from '../../src/protocol/request-response.js';
import { emulationError } from '../../src/analysis/emulation-error.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { patternBytes, roundTripPayload, sha256, startEchoServer } from '../helpers/tunnel-targets.js';

describe('delay line halves', () => {
  test('pushDue never releases before the due time and keeps submission order even for earlier due times', async () => {
    const released: { id: number; atUs: number; dueUs: number }[] = [];
    const lateness: number[] = [];
    const line = createDelayLine<{ id: number; dueUs: number }>({ onLateness: (us) => lateness.push(us) }, (item) =>
      released.push({ ...item, atUs: sharedNowUs() }),
    );
    const start = sharedNowUs();
    // The second item claims an earlier due time than the first: it must still come after it.
    const dues = [start + 3000, start + 1000, start + 4000, start + 0];
    dues.forEach((dueUs, id) => line.pushDue({ id, dueUs }, 10, dueUs));
    expect(line.queuedItems).toBe(4);
    const deadline = Date.now() + 5000;
    while (released.length < 4) {
      if (Date.now() > deadline) throw new Error(`only ${released.length} of 4 released within 5 s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(released.map((r) => r.id)).toEqual([0, 1, 2, 3]);
    // Each is released no earlier than its own due time and no earlier than any item before it.
    let floorUs = 0;
    for (const r of released) {
      floorUs = Math.max(floorUs, r.dueUs);
      expect(r.atUs).toBeGreaterThanOrEqual(floorUs);
    }
    expect(lateness).toHaveLength(4);
    for (const us of lateness) expect(us).toBeGreaterThanOrEqual(0);
    expect(line.queuedItems).toBe(0);
    expect(line.queuedBytes).toBe(0);
  });

  test('an item that fell due while the line was delivering earlier ones is not late by their delivery time', async () => {
    const lateness: number[] = [];
    let delivered = 0;
    const line = createDelayLine<number>({ onLateness: (us) => lateness.push(us) }, () => {
      // A slow delivery (a 64 KB frame masked in JS): 1 ms of work each.
      const until = sharedNowUs() + 1000;
      while (sharedNowUs() < until);
      delivered += 1;
    });
    const dueUs = sharedNowUs() - 10;
    for (let i = 0; i < 5; i += 1) line.pushDue(i, 10, dueUs);
    const deadline = Date.now() + 5000;
    while (delivered < 5) {
      if (Date.now() > deadline) throw new Error(`only ${delivered} of 5 delivered within 5 s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(lateness).toHaveLength(5);
    expect(lateness[0]).toBeGreaterThanOrEqual(10);
    // Delivered back to back: each waited only for the one before it, which is not the line's lateness.
    expect(lateness.slice(1)).toEqual([0, 0, 0, 0]);
  });

  test('due times are non-decreasing and at least the delay after entry, also with jitter and a bandwidth cap', () => {
    let nowUs = 1_000_000;
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const due = createDueTimes({ oneWayDelayMs: 2, jitterMs: 1, bandwidthBytesPerSec: 1_000_000, nowUs: () => nowUs, random });
    let last = 0;
    for (let i = 0; i < 200; i += 1) {
      const entered = nowUs;
      const d = due.next(100);
      expect(d).toBeGreaterThanOrEqual(last);
      expect(d).toBeGreaterThanOrEqual(entered + 2000 + 100); // delay + 100 B at 1 B/µs
      last = d;
      nowUs += 37;
    }
  });

  test('a stamp survives the wire and a short message is due at once', () => {
    const payload = Buffer.from('hello');
    const { dueUs, sentUs, payload: back } = readDue(stampDue(123456.789, payload, 120000.5));
    expect([dueUs, sentUs]).toEqual([123456.789, 120000.5]);
    expect(back.equals(payload)).toBe(true);
    expect(readDue(Buffer.alloc(DUE_PREFIX_BYTES - 1)).dueUs).toBe(0);
  });

  test('before a probing run, release = due + the fastest hand-off the hop has shown (running minimum, at most 1 ms), never before due', () => {
    const floor = createHandOffFloor();
    expect(floor.releaseAt(1000, 0, 50)).toBe(1000); // no send time: nothing learnt
    expect(floor.releaseAt(1000, 100, 180)).toBe(1080); // first hand-off 80 µs
    expect(floor.releaseAt(2000, 200, 500)).toBe(2080); // a slow (cold) hand-off does not raise it
    expect(floor.releaseAt(3000, 300, 312)).toBe(3012); // a faster one lowers it
    expect(floor.releaseAt(4000, 400, 390)).toBe(4012); // an impossible (negative) one is ignored
    const slow = createHandOffFloor();
    expect(slow.releaseAt(1000, 100, 5100)).toBe(2000); // bounded at 1 ms
  });

  test('a message that queued behind its burst is delayed from when it left; the first after idle (a wake-up) is absorbed', () => {
    const queue = createQueueTracker();
    // After idle: a slow (cold) transit is a wake-up, absorbed by the delay.
    expect(queue.queuedUs(1_000, 1_400)).toBe(0);
    // The rest of a bulk response, sent together, arriving as the receiver parses them: each counts
    // what it took beyond the burst's first.
    expect(queue.queuedUs(1_010, 1_600)).toBe(190);
    expect(queue.queuedUs(1_020, 2_000)).toBe(580);
    expect(queue.queuedUs(0, 2_100)).toBe(0); // no send time: nothing known
    // A faster transit in the burst is never negative.
    expect(queue.queuedUs(2_350, 2_400)).toBe(0);
    // An idle gap ends the burst: the next transit is a new base.
    const later = 2_400 + BURST_GAP_US + 1;
    expect(queue.queuedUs(later - 900, later)).toBe(0);
    expect(queue.queuedUs(later - 800, later + 200)).toBe(100);
  });
});

describe('relay path with timed legs', () => {
  test('every round trip pays both legs both ways, holds 4 traversals (relay 2, agent 1, forwarder 1), never early', async () => {
    const appToRelay = { oneWayDelayMs: 0.5 };
    const relayToAgent = { oneWayDelayMs: 3 };
    const target = await startRequestResponseTarget({ host: '127.0.0.1', port: 0 });
    const fixture = await startTunnelRelay({ delays: { senderLeg: appToRelay, listenerLeg: relayToAgent }, timedLegs: true });
    try {
      const agent = await fixture.agent(target.address, { timedLeg: relayToAgent });
      const forwarder = await fixture.forwarder({ timedLeg: appToRelay });
      const socket = net.connect({ ...forwarder.address, noDelay: true });
      await once(socket, 'connect');
      const roundTrips = 20;
      const configuredUs = 2 * (0.5 + 3) * 1000;
      const measuredUs: number[] = [];
      for (let i = 0; i < roundTrips; i += 1) {
        const start = sharedNowUs();
        const reply = once(socket, 'data');
        socket.write(encodeRequest(16, 32));
        const [chunk] = (await reply) as [Buffer];
        expect(chunk.length).toBe(32);
        measuredUs.push(sharedNowUs() - start);
      }
      socket.destroy();
      for (const us of measuredUs) expect(us).toBeGreaterThanOrEqual(configuredUs);
      const relayStats = fixture.relay.stats();
      const counted = {
        relay: relayStats.releaseLateness?.summary.count ?? 0,
        agent: agent.stats().releaseLateness?.summary.count ?? 0,
        forwarder: forwarder.stats().releaseLateness?.summary.count ?? 0,
      };
      expect(counted).toEqual({ relay: 2 * roundTrips, agent: roundTrips, forwarder: roundTrips });
      // Bytes in == bytes out, counted without the due-time prefix.
      expect(relayStats.senderToListener.bytes).toBe(16 * roundTrips);
      expect(relayStats.listenerToSender.bytes).toBe(32 * roundTrips);
      const emulation = emulationError(
        { id: 'relay', kind: 'relay-emulated', appToRelay, relayToAgent },
        { relay: relayStats, agents: { a0: agent.stats() }, agent: agent.stats(), forwarder: forwarder.stats() },
      );
      expect(emulation.measured).toBe(true);
      expect(emulation.traversalsPerRoundTrip).toBe(4);
      expect(emulation.perTraversalErrorUs?.count).toBe(4 * roundTrips);
      expect(emulation.perTraversalErrorUs!.p50).toBeLessThanOrEqual(emulation.perTraversalErrorUs!.p99);
    } finally {
      await target.close();
    }
  });

  for (const clientStack of ['hyco-ws', 'ws8'] as const) {
    test(`${clientStack}: 8 MiB echoed byte-identical through timed legs, FIN carried, payload bytes counted`, async () => {
      const leg = { oneWayDelayMs: 5 };
      const target = await startEchoServer();
      const fixture = await startTunnelRelay({ delays: { senderLeg: leg, listenerLeg: leg }, timedLegs: true }, { clientStack });
      try {
        const agent = await fixture.agent(target.address, { timedLeg: leg });
        const forwarder = await fixture.forwarder({ timedLeg: leg });
        const payload = patternBytes(8 << 20, 3);
        const received = await roundTripPayload(forwarder.address.port, payload);
        expect(received.how).toBe('end');
        expect(sha256(received.data)).toBe(sha256(payload));
        await expect.poll(() => forwarder.stats().connectionsActive).toBe(0);
        const relayStats = fixture.relay.stats();
        // Payload bytes only (the due-time prefix is not counted), one empty FIN marker per direction.
        expect(relayStats.senderToListener.bytes).toBe(payload.length);
        expect(relayStats.listenerToSender.bytes).toBe(payload.length);
        expect(relayStats.senderToListener.messages).toBe(forwarder.stats().messagesToRelay + 1);
        expect(agent.stats().bytesFromRelay).toBe(payload.length);
      } finally {
        await target.close();
      }
    }, 60_000);
  }
});
