// Malformed input never crashes the emulator: each case gets a defined refusal and is followed by
// proof that the relay still relays a normal connection (fresh hyco-ws peers on hc `proof`).

import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import type { RelayLogEvent } from '../../src/relay/relay-server.js';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { expectRelayServes } from '../helpers/relay-proof.js';
import { openRawListener, openWs8, rawExchange, startListenStorm } from '../helpers/relay-raw.js';

const namespaceWithProof = (): { rules: { name: string; primaryKey: string; rights: ['Manage'] }[]; hybridConnections: { name: string }[] } => ({
  rules: [{ name: 'RootManageSharedAccessKey', primaryKey: 'test-key', rights: ['Manage'] }],
  hybridConnections: [{ name: 'hc1' }, { name: 'proof' }],
});

function upgradeRequest(port: number, pathAndQuery: string, extraHeaders: string[]): string {
  return [
    `GET ${pathAndQuery} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    ...extraHeaders,
    '',
    '',
  ].join('\r\n');
}

describe('relay emulator under malformed input', () => {
  test('ignores non-JSON, unknown, array and binary control messages and keeps the channel', async () => {
    const fixture = await startRelayFixture({ namespace: namespaceWithProof() });
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    listener.ws.send('this is not json {');
    listener.ws.send(JSON.stringify({ injectFault: { kind: 'crash' } }));
    listener.ws.send('[1,2,3]');
    listener.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    listener.ws.send(JSON.stringify({ renewToken: 'not-an-object' }).replace('"not-an-object"', 'null'));

    await expect.poll(() => fixture.relay.stats().controlMessagesIgnored).toBe(5);
    expect(listener.ws.readyState).toBe(listener.ws.OPEN);
    await expectRelayServes(fixture, 'proof');
  });

  test('drops a control channel that sends garbage frames', async () => {
    const fixture = await startRelayFixture({ namespace: namespaceWithProof() });
    const socket = connect(fixture.relay.port, '127.0.0.1');
    socket.on('error', () => {});
    fixture.track({ close: () => socket.destroy() });
    await once(socket, 'connect');
    socket.write(
      upgradeRequest(fixture.relay.port, '/$hc/hc1?sb-hc-action=listen', [
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        `ServiceBusAuthorization: ${fixture.token()}`,
      ]),
    );
    const [firstChunk] = (await once(socket, 'data')) as [Buffer];
    expect(firstChunk.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);

    // Reserved opcode 0x3, unmasked (clients must mask): a protocol error for the relay.
    socket.write(Buffer.from([0x83, 0x05, 1, 2, 3, 4, 5, 0xff, 0xff, 0xff]));
    await once(socket, 'close');

    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(0);
    await expectRelayServes(fixture, 'proof');
  });

  test('closes a non-HTTP connection and refuses an unknown action with 400', async () => {
    const fixture = await startRelayFixture({ namespace: namespaceWithProof() });

    const garbage = await rawExchange(fixture.relay.port, Buffer.from('\u0016\u0003\u0001 not http at all\r\n\r\n', 'latin1'));
    const unknownAction = await openWs8(`${fixture.relay.url}/$hc/hc1?sb-hc-action=explode`, { token: fixture.token() });

    expect(garbage.statusLine).not.toMatch(/^HTTP\/1\.1 101/);
    expect(unknownAction).toMatchObject({ kind: 'refused', status: 400 });
    await expectRelayServes(fixture, 'proof');
  });

  test('refuses a connect handshake without Sec-WebSocket-Key with 400', async () => {
    const fixture = await startRelayFixture({ namespace: namespaceWithProof() });
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);

    const reply = await rawExchange(
      fixture.relay.port,
      upgradeRequest(fixture.relay.port, '/$hc/hc1?sb-hc-action=connect', [`ServiceBusAuthorization: ${fixture.token()}`]),
    );

    expect(reply.statusLine).toMatch(/^HTTP\/1\.1 400 Bad Request: invalid WebSocket handshake\./);
    expect(fixture.relay.stats().rejects).toEqual({ 'bad-request': 1 });
    await expectRelayServes(fixture, 'proof');
  });

  test('answers an accept handshake without a key with 400 and fails the held sender with 502', async () => {
    const fixture = await startRelayFixture({ namespace: namespaceWithProof() });
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);
    const sender = openWs8(fixture.connectUri, { token: fixture.token() });
    const accept = await listener.nextAccept();
    const acceptPath = accept.address.slice(fixture.relay.url.length);

    const reply = await rawExchange(fixture.relay.port, upgradeRequest(fixture.relay.port, acceptPath, []));

    expect(reply.statusLine).toMatch(/^HTTP\/1\.1 400/);
    await expect(sender).resolves.toMatchObject({ kind: 'refused', status: 502 });
    await expectRelayServes(fixture, 'proof');
  });

  test('closes an oversized message with 1009 on its hop and the peer with 1001', async () => {
    const fixture = await startRelayFixture({ namespace: namespaceWithProof(), maxMessageBytes: 1024 });
    const peerClose = new Promise<number>((resolve) => {
      void fixture.listen((ws) => ws.on('close', (code: number) => resolve(code)));
    });
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);
    const sender = await openWs8(fixture.connectUri, { token: fixture.token() });
    if (sender.kind !== 'open') throw new Error('sender refused');
    fixture.track(sender.ws);

    sender.ws.send(Buffer.alloc(4096, 7));
    const [code] = (await once(sender.ws, 'close')) as [number];

    expect(code).toBe(1009);
    await expect(peerClose).resolves.toBe(1001);
    expect(fixture.relay.stats().senderToListener.messages).toBe(0);
    await expectRelayServes(fixture, 'proof');
  });

  test('stays responsive and bounded while an unmodified hyco-ws listener in another process hammers it with a bad token', async () => {
    const events: RelayLogEvent[] = [];
    const fixture = await startRelayFixture({ namespace: namespaceWithProof(), log: (event) => events.push(event) });
    const forged = fixture.tokenFor('RootManageSharedAccessKey', 'wrong-key');
    const heapBefore = process.memoryUsage().heapUsed;

    const storm = startListenStorm(fixture.listenUri, forged);
    fixture.track({ close: () => storm.stop() });
    await expect.poll(() => fixture.relay.stats().rejects['unauthorized'] ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(100);
    const proofStartMs = performance.now();
    await expectRelayServes(fixture, 'proof');
    const proofMs = performance.now() - proofStartMs;
    await storm.stop();

    const refusedLogs = events.filter((event) => event.event === 'handshake-refused' && event.code === 401);
    const refusals = fixture.relay.stats().rejects['unauthorized'] ?? 0;
    // 5 per second pass the rate limiter; the rest are summarised in `suppressed`.
    expect(refusedLogs.length).toBeLessThan(refusals / 5);
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((event) => /sig=|SharedAccessSignature|wrong-key/.test(JSON.stringify(event)))).toEqual([]);
    expect(fixture.relay.stats().listenersByHc['hc1'] ?? 0).toBe(0);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    expect(proofMs).toBeLessThan(10_000);
  });
});
