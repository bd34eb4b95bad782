// Conformance of the emulator's WebSocket mode beyond echo: listener reject (both spellings),
// subprotocol echo, listener quota, balancing, rendezvous timeout and single use.

import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { connectHycoSender, type HycoSocket } from '../helpers/relay-hyco.js';
import { openRawListener, openWs8 } from '../helpers/relay-raw.js';

describe('relay emulator conformance, WebSocket mode', () => {
  test.each([
    ['sb-hc-statusCode', 'sb-hc-statusDescription'],
    ['statusCode', 'statusDescription'],
  ])('a listener rejecting with %s/%s gets 410 and the sender gets that status and text', async (codeKey, textKey) => {
    const fixture = await startRelayFixture();
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    const sender = openWs8(fixture.connectUri, { token: fixture.token() });
    const accept = await listener.nextAccept();
    const rejection = await openWs8(`${accept.address}&${codeKey}=401&${textKey}=${encodeURIComponent('Status Description from test')}`);

    expect(rejection).toMatchObject({ kind: 'refused', status: 410 });
    await expect(sender).resolves.toEqual({ kind: 'refused', status: 401, reason: 'Status Description from test' });
    expect(fixture.relay.stats().rejects).toEqual({ 'listener-rejected': 1 });
  });

  test('echoes the subprotocol the hyco-ws listener chose in both 101 responses', async () => {
    const fixture = await startRelayFixture();
    const listenerSockets: HycoSocket[] = [];
    await fixture.listen((ws) => listenerSockets.push(ws));

    const outcome = await openWs8(fixture.connectUri, { token: fixture.token(), protocols: ['proto1', 'proto2'] });

    expect(outcome.kind).toBe('open');
    if (outcome.kind !== 'open') return;
    fixture.track(outcome.ws);
    expect(outcome.ws.protocol).toBe('proto1');
    await expect.poll(() => listenerSockets.length).toBe(1);
    expect(listenerSockets[0]?.protocol).toBe('proto1');
  });

  test('passes connectHeaders (Sec-WebSocket-Key, custom headers) but never the token', async () => {
    const fixture = await startRelayFixture();
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    const sender = openWs8(`${fixture.connectUri}&app=1&sb-hc-id=trace-42`, { token: fixture.token(), headers: { 'X-Custom': 'yes' } });
    const accept = await listener.nextAccept();

    const names = Object.keys(accept.connectHeaders).map((name) => name.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['sec-websocket-key', 'sec-websocket-version', 'x-custom', 'host']));
    expect(names).not.toContain('servicebusauthorization');
    expect(accept.id.startsWith('trace-42_')).toBe(true);
    expect(accept.address).toMatch(/\/\$hc\/hc1\?app=1&sb-hc-action=accept&sb-hc-id=trace-42_/);
    expect(accept.remoteEndpoint?.address).toBe('127.0.0.1');
    const opened = await openWs8(accept.address);
    expect(opened.kind).toBe('open');
    if (opened.kind === 'open') fixture.track(opened.ws);
    const senderOutcome = await sender;
    if (senderOutcome.kind === 'open') fixture.track(senderOutcome.ws);
    expect(senderOutcome.kind).toBe('open');
  });

  test('answers pings on the control channel and tolerates unsolicited pongs', async () => {
    const fixture = await startRelayFixture();
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    listener.ws.pong(Buffer.from('keep-alive'));
    const pong = once(listener.ws, 'pong');
    listener.ws.ping(Buffer.from('are you there'));

    expect(String((await pong)[0])).toBe('are you there');
    expect(listener.ws.readyState).toBe(listener.ws.OPEN);
    expect(fixture.relay.stats().controlMessagesIgnored).toBe(0);
  });

  test('registers 25 listeners on one hybrid connection and refuses the 26th with 403', async () => {
    const fixture = await startRelayFixture();
    for (let index = 0; index < 25; index += 1) await fixture.listen();

    const refused = fixture.listen();

    await expect(refused).rejects.toThrow('unexpected server response (403)');
    expect(fixture.relay.stats().listenersByHc['hc1']).toBe(25);
    expect(fixture.relay.stats().rejects['listener-limit']).toBeGreaterThanOrEqual(1);
  });

  test('spreads senders over two listeners', async () => {
    const fixture = await startRelayFixture();
    const perListener = [0, 0];
    await fixture.listen(() => (perListener[0] = (perListener[0] ?? 0) + 1));
    await fixture.listen(() => (perListener[1] = (perListener[1] ?? 0) + 1));

    for (let index = 0; index < 24; index += 1) {
      const sender = await connectHycoSender(fixture.connectUri, fixture.token());
      fixture.track(sender);
    }

    await expect.poll(() => (perListener[0] ?? 0) + (perListener[1] ?? 0)).toBe(24);
    // Each listener is chosen with probability 1/2; P(one gets none of 24) = 2^-23.
    expect(perListener[0]).toBeGreaterThan(0);
    expect(perListener[1]).toBeGreaterThan(0);
  });

  test('fails a held sender with 404 when the listener never opens the accept address, then refuses the stale address with 403', async () => {
    const fixture = await startRelayFixture({ rendezvousTimeoutMs: 300 });
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    const sender = openWs8(fixture.connectUri, { token: fixture.token() });
    const accept = await listener.nextAccept();
    const outcome = await sender;
    const late = await openWs8(accept.address);

    expect(outcome).toMatchObject({ kind: 'refused', status: 404 });
    expect(outcome.kind === 'refused' ? outcome.reason : '').toMatch(/^None of the connected listeners accepted the connection within the allowed timeout\. TrackingId:/);
    expect(late).toMatchObject({ kind: 'refused', status: 403 });
    expect(fixture.relay.stats().rejects).toEqual({ 'rendezvous-timeout': 1, 'rendezvous-invalid': 1 });
  });

  test('forgets a held sender that hangs up, so its accept address is refused', async () => {
    const fixture = await startRelayFixture();
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);
    const socket = connect(fixture.relay.port, '127.0.0.1');
    socket.on('error', () => {});
    fixture.track({ close: () => socket.destroy() });
    await once(socket, 'connect');
    socket.write(
      [
        'GET /$hc/hc1?sb-hc-action=connect HTTP/1.1',
        `Host: 127.0.0.1:${fixture.relay.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `ServiceBusAuthorization: ${fixture.token()}`,
        '',
        '',
      ].join('\r\n'),
    );

    const accept = await listener.nextAccept();
    socket.destroy();
    await expect.poll(() => fixture.relay.stats().rejects['sender-gone'] ?? 0).toBe(1);
    const late = await openWs8(accept.address);

    expect(late).toMatchObject({ kind: 'refused', status: 403 });
    expect(fixture.relay.stats().rendezvousCompleted).toBe(0);
  });

  test('caps held senders: beyond maxPendingRendezvous a sender gets 503, and the gauge shows the held ones', async () => {
    const fixture = await startRelayFixture({ maxPendingRendezvous: 2 });
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    const held = [openWs8(fixture.connectUri, { token: fixture.token() }), openWs8(fixture.connectUri, { token: fixture.token() })];
    await listener.nextAccept();
    await listener.nextAccept();
    const third = await openWs8(fixture.connectUri, { token: fixture.token() });

    expect(third).toMatchObject({ kind: 'refused', status: 503 });
    expect(fixture.relay.stats()).toMatchObject({ rendezvousPending: 2, rejects: { 'rendezvous-quota': 1 } });
    // relay.close() at test end destroys the two held sockets, which settles `held`.
    void Promise.all(held);
  });

  test('uses an accept address once: a second use gets 403 and the bridge keeps working', async () => {
    const fixture = await startRelayFixture();
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);
    const sender = openWs8(fixture.connectUri, { token: fixture.token() });
    const accept = await listener.nextAccept();
    const first = await openWs8(accept.address);
    const senderOutcome = await sender;
    if (first.kind !== 'open' || senderOutcome.kind !== 'open') throw new Error('rendezvous failed');
    fixture.track(first.ws);
    fixture.track(senderOutcome.ws);

    const second = await openWs8(accept.address);
    const echoed = once(first.ws, 'message');
    senderOutcome.ws.send('after reuse attempt');

    expect(second).toMatchObject({ kind: 'refused', status: 403 });
    expect(String((await echoed)[0])).toBe('after reuse attempt');
  });

  test('refuses with the service texts: no listener, unknown hc, bad signature, missing right', async () => {
    const fixture = await startRelayFixture({
      namespace: {
        rules: [
          { name: 'listenOnly', primaryKey: 'k-listen', rights: ['Listen'] },
          { name: 'sendOnly', primaryKey: 'k-send', rights: ['Send'] },
        ],
        hybridConnections: [{ name: 'hc1' }],
      },
    });
    const token = fixture.tokenFor('listenOnly', 'k-listen');

    const noListener = await openWs8(fixture.connectUri, { token: fixture.tokenFor('sendOnly', 'k-send') });
    const unknown = await openWs8(fixture.connectUri.replace('/hc1?', '/other?'), { token });
    const forged = await openWs8(fixture.listenUri, { token: fixture.tokenFor('listenOnly', 'wrong') });
    const missingRight = await openWs8(fixture.connectUri, { token });
    const missingToken = await openWs8(fixture.listenUri);

    expect(noListener).toMatchObject({ status: 404, reason: expect.stringMatching(/^There are no listeners connected for the endpoint\. TrackingId:/) });
    expect(unknown).toMatchObject({ status: 404, reason: expect.stringMatching(/^Endpoint does not exist\. TrackingId:.*SystemTracker:.*Timestamp:/) });
    expect(forged).toMatchObject({ status: 401, reason: expect.stringMatching(/^InvalidSignature: The token has an invalid signature\./) });
    expect(missingRight).toMatchObject({ status: 403, reason: expect.stringContaining("'Send' claim(s) are required") });
    expect(missingToken).toMatchObject({ status: 401 });
  });
});
