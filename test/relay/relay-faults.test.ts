// The fault API on a running relay with unmodified hyco-ws peers: drop listeners, refuse listens
// and accepts, delay accepts, cut relayed connections, expire tokens, restart; and /$stats.

import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { connectHycoSender, type HycoSocket } from '../helpers/relay-hyco.js';
import { openRawListener, openWs8 } from '../helpers/relay-raw.js';

describe('relay emulator faults', () => {
  test('disconnectListeners closes control channels with 1011 and hyco-ws listeners come back', async () => {
    const fixture = await startRelayFixture();
    const raw = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(raw.ws);
    const hycoListener = await fixture.listen();
    let relistenCount = 0;
    hycoListener.server.on('listening', () => (relistenCount += 1));

    const dropped = fixture.relay.faults.disconnectListeners();

    expect(dropped).toBe(2);
    await expect(raw.closed).resolves.toMatchObject({ code: 1011 });
    await expect.poll(() => relistenCount).toBe(1);
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);
  });

  test('refuseListeners answers new listens with 503 until switched off', async () => {
    const fixture = await startRelayFixture();

    fixture.relay.faults.refuseListeners(true);
    const refused = await openWs8(fixture.listenUri, { token: fixture.token() });
    fixture.relay.faults.refuseListeners(false);
    const accepted = await openWs8(fixture.listenUri, { token: fixture.token() });
    if (accepted.kind === 'open') fixture.track(accepted.ws);

    expect(refused).toMatchObject({ kind: 'refused', status: 503 });
    expect(accepted.kind).toBe('open');
    expect(fixture.relay.stats().rejects).toEqual({ 'listeners-refused': 1 });
  });

  test('refuseAccepts fails senders with 404 although a listener is connected', async () => {
    const fixture = await startRelayFixture();
    await fixture.listen();

    fixture.relay.faults.refuseAccepts(true);
    const refused = await openWs8(fixture.connectUri, { token: fixture.token() });
    fixture.relay.faults.reset();
    const accepted = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (accepted.kind === 'open') fixture.track(accepted.ws);

    expect(refused).toMatchObject({ kind: 'refused', status: 404, reason: expect.stringMatching(/^None of the connected listeners accepted/) });
    expect(accepted.kind).toBe('open');
  });

  test('delayAccepts beyond the rendezvous timeout makes senders time out', async () => {
    const fixture = await startRelayFixture({ rendezvousTimeoutMs: 150 });
    await fixture.listen();

    fixture.relay.faults.delayAccepts(400);
    const outcome = await openWs8(fixture.connectUri, { token: fixture.token() });

    expect(outcome).toMatchObject({ kind: 'refused', status: 404 });
    expect(fixture.relay.stats().rejects['rendezvous-timeout']).toBe(1);
  });

  test('cutConnections closes both sides of every bridge mid-stream with 1011', async () => {
    const fixture = await startRelayFixture();
    const listenerSide: HycoSocket[] = [];
    await fixture.listen((ws) => listenerSide.push(ws));
    const sender = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(sender);
    await expect.poll(() => listenerSide.length).toBe(1);
    const listenerClosed = once(listenerSide[0] as HycoSocket, 'close');

    const cut = fixture.relay.faults.cutConnections();
    const [senderCode] = (await once(sender, 'close')) as [number];

    expect(cut).toBe(1);
    expect(senderCode).toBe(1011);
    expect((await listenerClosed)[0]).toBe(1011);
    await expect.poll(() => fixture.relay.stats().bridgesActive).toBe(0);
  });

  test('expireTokensNow closes control channels with 1008', async () => {
    const fixture = await startRelayFixture();
    const raw = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(raw.ws);

    const expired = fixture.relay.faults.expireTokensNow();

    expect(expired).toBe(1);
    await expect(raw.closed).resolves.toMatchObject({ code: 1008 });
    expect(fixture.relay.stats().listenersExpired).toBe(1);
  });

  test('disableHybridConnection closes its listeners and connections with 1001 and answers 404 until re-enabled', async () => {
    const fixture = await startRelayFixture();
    const raw = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(raw.ws);
    const accepted = raw.nextAccept().then(async (accept) => {
      const outcome = await openWs8(accept.address);
      if (outcome.kind === 'open') fixture.track(outcome.ws);
    });
    const sender = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(sender);
    await accepted;

    const closedCount = fixture.relay.faults.disableHybridConnection('hc1');
    const [senderCode] = (await once(sender, 'close')) as [number];
    const refused = await openWs8(fixture.listenUri, { token: fixture.token() });
    fixture.relay.faults.disableHybridConnection('hc1', false);
    const back = await openWs8(fixture.listenUri, { token: fixture.token() });
    if (back.kind === 'open') fixture.track(back.ws);

    expect(closedCount).toBe(2);
    await expect(raw.closed).resolves.toMatchObject({ code: 1001 });
    expect(senderCode).toBe(1001);
    expect(refused).toMatchObject({ kind: 'refused', status: 404 });
    expect(back.kind).toBe('open');
  });

  test('restart drops every socket, listens again on the same port, and a hyco-ws listener re-registers', async () => {
    const fixture = await startRelayFixture();
    const echoed: string[] = [];
    await fixture.listen((ws) => ws.on('message', (data: string | Buffer) => ws.send(data)));
    const before = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(before);
    const beforeClosed = once(before, 'close');

    await fixture.relay.restart();
    await beforeClosed;
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1'], { timeout: 10_000 }).toBe(1);
    const after = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(after);
    const reply = new Promise<void>((resolve) => after.once('message', (data: string | Buffer) => resolve(void echoed.push(String(data)))));
    after.send('after restart');
    await reply;

    expect(echoed).toEqual(['after restart']);
    expect(fixture.relay.stats().listenersTotal).toBeGreaterThanOrEqual(2);
  });

  test('drives faults over POST /$faults/<name> only when the endpoint is enabled', async () => {
    const enabled = await startRelayFixture({ isFaultEndpointEnabled: true });
    const disabled = await startRelayFixture();
    const raw = await openRawListener(enabled.listenUri, enabled.token());
    enabled.track(raw.ws);
    const base = `http://127.0.0.1:${enabled.relay.port}/$faults`;
    const post = (url: string): Promise<Response> => fetch(url, { method: 'POST', signal: AbortSignal.timeout(5000) });

    const dropped = await post(`${base}/disconnect-listeners?code=1012`);
    const unknown = await post(`${base}/explode`);
    const wrongMethod = await fetch(`${base}/reset`, { signal: AbortSignal.timeout(5000) });
    const off = await post(`http://127.0.0.1:${disabled.relay.port}/$faults/reset`);

    expect(await dropped.json()).toEqual({ fault: 'disconnect-listeners', affected: 1 });
    await expect(raw.closed).resolves.toMatchObject({ code: 1012 });
    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(off.status).toBe(404);
    await Promise.all([unknown.text(), wrongMethod.text(), off.text()]);
  });

  test('serves the counters as JSON on GET /$stats', async () => {
    const fixture = await startRelayFixture();
    await fixture.listen();

    const response = await fetch(fixture.relay.statsUrl, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { listenersByHc: Record<string, number> };

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(body).toEqual(fixture.relay.stats());
    expect(body.listenersByHc).toEqual({ hc1: 1 });
  });
});
