// Hand-off probes (net/hand-off-probe.ts): a ping is answered at once with the ping's own send
// time, a pong teaches half the round trip, probing stops after PROBE_ROUNDS, and on a real relay
// path with timed legs the probes are never delivered as data nor counted as traffic.

import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { createHandOffProber, isProbeDue, PING_DUE_US, PONG_DUE_US, PROBE_ROUNDS } from '../../src/net/hand-off-probe.js';
import { createHandOffFloor, REPROBE_AFTER_REJECT_US, REPROBE_AFTER_US } from '../../src/net/hand-off-floor.js';
import { createHopProber, readDue, stampDue } from '../../src/net/timed-socket.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { encodeRequest } from '../../src/protocol/request-response.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';

describe('hand-off prober', () => {
  test('one end pings PROBE_ROUNDS times, the other answers each at once; half the fastest round trip is learnt', () => {
    let nowUs = 1_000;
    const queue: { to: 'a' | 'b'; message: Buffer }[] = [];
    const learnt = { a: [] as number[], b: [] as number[] };
    const make = (self: 'a' | 'b', peer: 'a' | 'b') =>
      createHandOffProber(
        (message) => {
          queue.push({ to: peer, message });
          return true;
        },
        (dueUs, sentUs) => stampDue(dueUs, Buffer.alloc(0), sentUs),
        () => nowUs,
        (us) => learnt[self].push(us),
      );
    const ends = { a: make('a', 'b'), b: make('b', 'a') };
    ends.a.start();
    // Each delivery takes 30 µs except every 5th (a cold one, 400 µs).
    let deliveries = 0;
    while (queue.length > 0 && deliveries < 10_000) {
      const { to, message } = queue.shift()!;
      deliveries += 1;
      nowUs += deliveries % 5 === 0 ? 400 : 30;
      const { dueUs, sentUs, payload } = readDue(message);
      expect(isProbeDue(dueUs)).toBe(true);
      expect(payload.length).toBe(0);
      ends[to].onProbe(dueUs, sentUs, nowUs);
    }
    expect(learnt.a.length).toBe(PROBE_ROUNDS);
    expect(learnt.b.length).toBe(0); // b only answered
    expect(deliveries).toBe(2 * PROBE_ROUNDS);
    // A round trip of two hot deliveries is 60 µs: half of it is the hot hand-off.
    expect(Math.min(...learnt.a)).toBe(30);
    // As one run of a floor: its median is the hot hand-off (2 of 5 round trips here carry a cold delivery).
    const floor = createHandOffFloor();
    const owner = {};
    expect(floor.claimProbe(owner, nowUs)).toBe(true);
    for (const us of learnt.a) floor.learn(owner, us, nowUs);
    expect(floor.probedUs).toBe(30);
    expect(floor.releaseAt(5_000, 0, 0)).toBe(5_030);
  });

  test('a run is one at a time: start() while running sends nothing, a pong of no run is ignored, and a ping that cannot be sent ends the run', () => {
    const sent: Buffer[] = [];
    const learnt: number[] = [];
    let isOpen = true;
    const prober = createHandOffProber(
      (m) => (isOpen ? (sent.push(m), true) : false),
      (dueUs, sentUs) => stampDue(dueUs, Buffer.alloc(0), sentUs),
      () => 1_000,
      (us) => learnt.push(us),
    );
    prober.onProbe(PONG_DUE_US, 900, 1_000); // before any run: not learnt, no ping
    expect(learnt).toEqual([]);
    expect(sent).toHaveLength(0);
    prober.start();
    prober.start();
    expect(prober.isRunning).toBe(true);
    expect(sent).toHaveLength(1);
    isOpen = false;
    prober.onProbe(PONG_DUE_US, 960, 1_000); // learnt; the next ping fails: the run is over
    expect(learnt).toEqual([20]);
    expect(prober.isRunning).toBe(false);
    isOpen = true;
    prober.start(); // a new run starts from its first round
    expect(sent).toHaveLength(2);
    expect(prober.isRunning).toBe(true);
  });

  test('a pong carries the ping send time; markers are negative and distinct', () => {
    const sent: Buffer[] = [];
    const prober = createHandOffProber(
      (m) => (sent.push(m), true),
      (dueUs, sentUs) => stampDue(dueUs, Buffer.alloc(0), sentUs),
      () => 777,
      () => undefined,
    );
    prober.onProbe(PING_DUE_US, 123.5, 200);
    expect(readDue(sent[0]!)).toMatchObject({ dueUs: PONG_DUE_US, sentUs: 123.5 });
    expect(PING_DUE_US).toBeLessThan(0);
    expect(PONG_DUE_US).toBeLessThan(0);
    expect(PING_DUE_US).not.toBe(PONG_DUE_US);
    expect(isProbeDue(0)).toBe(false);
  });

  test('hop ends sharing a floor probe one run at a time, and after an accepted run only a new connection REPROBE_AFTER_US later; pings are always answered', () => {
    const shared = createHandOffFloor();
    let nowUs = 1_000;
    const sent: Buffer[] = [];
    const first = createHopProber((m) => (sent.push(m), true), shared, () => nowUs);
    first.start();
    expect(sent.map((m) => readDue(m).dueUs)).toEqual([PING_DUE_US]);

    // While its run is live, a later connection of the same endpoint starts none, but still answers the other end.
    const later: Buffer[] = [];
    const second = createHopProber((m) => (later.push(m), true), shared, () => nowUs);
    second.start();
    expect(later).toHaveLength(0);
    second.onProbe(PING_DUE_US, nowUs - 100, nowUs);
    expect(later.map((m) => readDue(m))).toMatchObject([{ dueUs: PONG_DUE_US, sentUs: nowUs - 100 }]);

    // The first run's pongs come back (40 µs round trips): PROBE_ROUNDS of them complete it.
    for (let i = 0; i < 2 * PROBE_ROUNDS && shared.probeRuns === 0; i += 1) {
      nowUs += 100;
      first.onProbe(PONG_DUE_US, nowUs - 40, nowUs);
    }
    expect(shared.probeRuns).toBe(1);
    expect(shared.releaseAt(5_000, 0, 0)).toBe(5_020);
    const pingsOfFirst = sent.length;
    expect(pingsOfFirst).toBe(PROBE_ROUNDS);

    // Accepted: data starts no run any more, and nobody probes again before REPROBE_AFTER_US ...
    expect(shared.isProbeWanted).toBe(false);
    nowUs += REPROBE_AFTER_US;
    first.onData();
    expect(sent).toHaveLength(PROBE_ROUNDS);
    const third: Buffer[] = [];
    createHopProber((m) => (third.push(m), true), shared, () => nowUs - 1).start();
    expect(third).toHaveLength(0);
    // ... and the next connection after it does.
    createHopProber((m) => (third.push(m), true), shared, () => nowUs).start();
    expect(third).toHaveLength(1);

    // An endpoint with a floor of its own probes at once.
    const own: Buffer[] = [];
    createHopProber((m) => (own.push(m), true), createHandOffFloor(), () => 3_000).start();
    expect(own).toHaveLength(1);
  });
});

describe('a live connection whose run was refused', () => {
  test('probes again on its data REPROBE_AFTER_REJECT_US later, until a run is accepted; never while its own run is live', () => {
    const floor = createHandOffFloor();
    let nowUs = 1_000_000;
    const sent: Buffer[] = [];
    const end = createHopProber((m) => (sent.push(m), true), floor, () => nowUs);
    end.start();
    // A busy run: half the round trips hot (60 µs), half 4 ms: refused.
    for (let i = 0; floor.probeRuns === 0 && i < 2 * PROBE_ROUNDS; i += 1) {
      nowUs += 100;
      end.onProbe(PONG_DUE_US, nowUs - (i % 2 === 0 ? 60 : 4_000), nowUs);
    }
    expect(floor.probeRuns).toBe(1);
    expect(floor.probedUs).toBeUndefined();
    expect(floor.isProbeWanted).toBe(true);
    const afterFirst = sent.length;
    expect(afterFirst).toBe(PROBE_ROUNDS);
    nowUs += REPROBE_AFTER_REJECT_US - 1;
    end.onData();
    expect(sent).toHaveLength(afterFirst);
    nowUs += 1;
    end.onData();
    end.onData(); // its run is live: no second first ping
    expect(sent).toHaveLength(afterFirst + 1);
    for (let i = 0; floor.probeRuns === 1 && i < 2 * PROBE_ROUNDS; i += 1) {
      nowUs += 100;
      end.onProbe(PONG_DUE_US, nowUs - 70, nowUs);
    }
    expect(floor.probedUs).toBe(35);
    expect(floor.isProbeWanted).toBe(false);
    nowUs += REPROBE_AFTER_US;
    end.onData();
    expect(sent).toHaveLength(2 * PROBE_ROUNDS);
  });
});

describe('probes on a real relay path with timed legs', () => {
  test('are answered and learnt, never delivered: bytes in == bytes out and every reply has exactly the asked size', async () => {
    const appToRelay = { oneWayDelayMs: 0.5 };
    const relayToAgent = { oneWayDelayMs: 1 };
    const target = await startRequestResponseTarget({ host: '127.0.0.1', port: 0 });
    const fixture = await startTunnelRelay({ delays: { senderLeg: appToRelay, listenerLeg: relayToAgent }, timedLegs: true });
    try {
      await fixture.agent(target.address, { timedLeg: relayToAgent });
      const forwarder = await fixture.forwarder({ timedLeg: appToRelay });
      const socket = net.connect({ ...forwarder.address, noDelay: true });
      await once(socket, 'connect');
      const roundTrips = 30;
      let received = 0;
      for (let i = 0; i < roundTrips; i += 1) {
        const reply = once(socket, 'data');
        socket.write(encodeRequest(16, 48));
        const [chunk] = (await reply) as [Buffer];
        expect(chunk.length).toBe(48);
        received += chunk.length;
      }
      socket.destroy();
      expect(received).toBe(48 * roundTrips);
      const relayStats = fixture.relay.stats();
      expect(relayStats.senderToListener.bytes).toBe(16 * roundTrips);
      expect(relayStats.listenerToSender.bytes).toBe(48 * roundTrips);
      expect(target.stats().bytesReceived).toBe(16 * roundTrips);
    } finally {
      await target.close();
    }
  });
});
