// Token lifetime on listener control channels, driven by an injected relay clock: expiry closes
// with 1008 after the grace window, renewToken extends a listener (raw and unmodified hyco-ws).

import { afterEach, describe, expect, test, vi } from 'vitest';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { connectHycoSender } from '../helpers/relay-hyco.js';
import { openRawListener } from '../helpers/relay-raw.js';

/** A settable wall clock for the relay (ms). */
function manualClock(): { nowMs: () => number; advanceSec: (seconds: number) => void; nowSec: () => number } {
  let now = Date.now();
  return {
    nowMs: () => now,
    nowSec: () => Math.floor(now / 1000),
    advanceSec: (seconds) => {
      now += seconds * 1000;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('relay emulator token lifetime', () => {
  test('closes an expired control channel with 1008 only after the grace window', async () => {
    const clock = manualClock();
    const fixture = await startRelayFixture({ nowMs: clock.nowMs, tokenExpiry: { checkIntervalMs: 10, graceMs: 60_000 } });
    const key = fixture.namespace.rules[0]?.primaryKey ?? '';
    const early = await openRawListener(fixture.listenUri, fixture.tokenFor('RootManageSharedAccessKey', key, { expiresAtSec: clock.nowSec() + 10 }));
    const inGrace = await openRawListener(fixture.listenUri, fixture.tokenFor('RootManageSharedAccessKey', key, { expiresAtSec: clock.nowSec() + 50 }));
    fixture.track(early.ws);
    fixture.track(inGrace.ws);

    clock.advanceSec(80);

    // early: expired 70 s ago, grace 60 s -> closed; inGrace: expired 30 s ago -> still open.
    await expect(early.closed).resolves.toEqual({ code: 1008, reason: 'Token expired.' });
    expect(inGrace.ws.readyState).toBe(inGrace.ws.OPEN);
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);
    expect(fixture.relay.stats().listenersExpired).toBe(1);
  });

  test('keeps a listener that sent a valid renewToken past its first expiry and closes one that sent a bad one', async () => {
    const clock = manualClock();
    const fixture = await startRelayFixture({ nowMs: clock.nowMs, tokenExpiry: { checkIntervalMs: 10, graceMs: 0 } });
    const key = fixture.namespace.rules[0]?.primaryKey ?? '';
    const shortToken = (): string => fixture.tokenFor('RootManageSharedAccessKey', key, { expiresAtSec: clock.nowSec() + 60 });
    const renewed = await openRawListener(fixture.listenUri, shortToken());
    const witness = await openRawListener(fixture.listenUri, shortToken());
    const badRenewal = await openRawListener(fixture.listenUri, shortToken());
    for (const listener of [renewed, witness, badRenewal]) fixture.track(listener.ws);

    const longToken = fixture.tokenFor('RootManageSharedAccessKey', key, { expiresAtSec: clock.nowSec() + 7200 });
    renewed.ws.send(JSON.stringify({ renewToken: { token: longToken } }));
    badRenewal.ws.send(JSON.stringify({ renewToken: { token: fixture.tokenFor('RootManageSharedAccessKey', 'wrong') } }));
    await expect.poll(() => fixture.relay.stats().tokenRenewals).toBe(1);
    await expect(badRenewal.closed).resolves.toEqual({ code: 1008, reason: 'Token renewal failed.' });
    clock.advanceSec(3600);

    await expect(witness.closed).resolves.toMatchObject({ code: 1008 });
    expect(renewed.ws.readyState).toBe(renewed.ws.OPEN);
  });

  test("keeps an unmodified hyco-ws listener alive through its own hourly renewToken", async () => {
    const clock = manualClock();
    const fixture = await startRelayFixture({ nowMs: clock.nowMs, tokenExpiry: { checkIntervalMs: 10, graceMs: 0 } });
    const key = fixture.namespace.rules[0]?.primaryKey ?? '';
    const tokenNow = (): string => fixture.tokenFor('RootManageSharedAccessKey', key, { expiresAtSec: clock.nowSec() + 3600 });
    // hyco-ws renews with a fixed setInterval(1 h); fake only setInterval so that the relay
    // (setTimeout-based sweep) and the sockets keep real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const listener = await fixture.listen((ws) => ws.on('message', (data: string | Buffer) => ws.send(data)), tokenNow);
    const witness = await openRawListener(fixture.listenUri, tokenNow());
    fixture.track(witness.ws);

    clock.advanceSec(3000);
    vi.advanceTimersByTime(3_600_000);
    vi.useRealTimers();
    await expect.poll(() => fixture.relay.stats().tokenRenewals).toBe(1);
    clock.advanceSec(1200);

    await expect(witness.closed).resolves.toMatchObject({ code: 1008 });
    expect(listener.errors).toEqual([]);
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);
    expect(fixture.relay.stats().listenersTotal).toBe(2);
    const sender = await connectHycoSender(fixture.connectUri, tokenNow());
    fixture.track(sender);
    const reply = new Promise<string>((resolve) => sender.once('message', (data: string | Buffer) => resolve(String(data))));
    sender.send('renewed');
    expect(await reply).toBe('renewed');
  });
});
