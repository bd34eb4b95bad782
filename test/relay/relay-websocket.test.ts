// Conformance of the relay emulator's WebSocket mode with the unmodified hyco-ws 1.0.5 listener
// and sender: echo, counters, close codes, and the handshake refusals (404, 401, 403).

import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { connectHycoSender, type HycoMessageFlags, type HycoSocket } from '../helpers/relay-hyco.js';
import { startRelayFixture } from '../helpers/relay-fixture.js';

interface Received {
  data: Buffer;
  isBinary: boolean;
}

/** Collects `count` messages from a ws 1.1.5 socket. */
function collect(ws: HycoSocket, count: number): Promise<Received[]> {
  const received: Received[] = [];
  return new Promise((resolve) => {
    ws.on('message', (data: string | Buffer, flags: HycoMessageFlags) => {
      received.push({ data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), isBinary: flags.binary === true });
      if (received.length === count) resolve(received);
    });
  });
}

function echo(ws: HycoSocket): void {
  ws.on('message', (data: string | Buffer, flags: HycoMessageFlags) => ws.send(data, { binary: flags.binary === true }));
}

describe('relay emulator, WebSocket mode, with hyco-ws', () => {
  test('echoes text and binary byte for byte, counts every message, and forwards the close code', async () => {
    const fixture = await startRelayFixture();
    const listenerClose = new Promise<{ code: number; reason: string }>((resolve) => {
      void fixture.listen((ws) => {
        echo(ws);
        ws.on('close', (code: number, reason: string) => resolve({ code, reason: String(reason) }));
      });
    });
    await expect.poll(() => fixture.relay.stats().listenersByHc['hc1']).toBe(1);
    const sender = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(sender);
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, index) => (index * 31) % 256));
    const texts = ['hello', 'ünïcödé ✓', ''];

    const replies = collect(sender, 4);
    for (const text of texts) sender.send(text);
    sender.send(binary, { binary: true });
    const received = await replies;

    expect(received.map((message) => message.isBinary)).toEqual([false, false, false, true]);
    expect(received.slice(0, 3).map((message) => message.data.toString('utf8'))).toEqual(texts);
    expect(received[3]?.data.equals(binary)).toBe(true);
    const sentBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) + binary.length;
    const stats = fixture.relay.stats();
    expect(stats.senderToListener).toEqual({ messages: 4, bytes: sentBytes });
    expect(stats.listenerToSender).toEqual({ messages: 4, bytes: sentBytes });
    expect(stats).toMatchObject({ connectRequests: 1, rendezvousCompleted: 1, bridgesActive: 1, bridgesTotal: 1 });

    sender.close(4001, 'bye');
    await expect(listenerClose).resolves.toEqual({ code: 4001, reason: 'bye' });
    await expect.poll(() => fixture.relay.stats().bridgesActive).toBe(0);
  });

  test('carries 8 MiB in 256 KiB messages through backpressure (pause/resume) with every byte counted', async () => {
    const fixture = await startRelayFixture();
    let receivedBytes = 0;
    let receivedMessages = 0;
    await fixture.listen((ws) =>
      ws.on('message', (data: Buffer) => {
        receivedBytes += data.length;
        receivedMessages += 1;
      }),
    );
    const sender = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(sender);
    const chunk = Buffer.alloc(256 * 1024, 0x5a);

    for (let index = 0; index < 32; index += 1) sender.send(chunk, { binary: true });

    await expect.poll(() => receivedBytes, { timeout: 20_000, interval: 20 }).toBe(32 * chunk.length);
    expect(receivedMessages).toBe(32);
    expect(fixture.relay.stats().senderToListener).toEqual({ messages: 32, bytes: 32 * chunk.length });
  });

  test('forwards the listener close code to the sender', async () => {
    const fixture = await startRelayFixture();
    await fixture.listen((ws) => ws.close(4002, 'listener done'));
    const sender = await connectHycoSender(fixture.connectUri, fixture.token());
    fixture.track(sender);

    const [code, reason] = (await once(sender, 'close')) as [number, string];

    expect({ code, reason: String(reason) }).toEqual({ code: 4002, reason: 'listener done' });
  });

  test('refuses a sender with 404 when no listener is connected', async () => {
    const fixture = await startRelayFixture();

    const failure = connectHycoSender(fixture.connectUri, fixture.token());

    await expect(failure).rejects.toThrow('unexpected server response (404)');
    expect(fixture.relay.stats().rejects).toEqual({ 'no-listener': 1 });
  });

  test('refuses an unknown hybrid connection with 404', async () => {
    const fixture = await startRelayFixture();

    const failure = connectHycoSender(fixture.connectUri.replace('/hc1?', '/nope?'), fixture.token());

    await expect(failure).rejects.toThrow('unexpected server response (404)');
    expect(fixture.relay.stats().rejects).toEqual({ 'not-found': 1 });
  });

  test('refuses a listener whose token has a bad signature with 401', async () => {
    const fixture = await startRelayFixture();
    const forged = fixture.tokenFor('RootManageSharedAccessKey', 'not-the-key');

    const failure = fixture.listen(undefined, forged);

    await expect(failure).rejects.toThrow('unexpected server response (401)');
    expect(fixture.relay.stats().rejects['unauthorized']).toBeGreaterThanOrEqual(1);
    expect(fixture.relay.stats().listenersByHc['hc1'] ?? 0).toBe(0);
  });

  test('refuses a sender and a listener whose token has expired with 401', async () => {
    const fixture = await startRelayFixture();
    const key = fixture.namespace.rules[0]?.primaryKey ?? '';
    const expired = fixture.tokenFor('RootManageSharedAccessKey', key, { expiresAtSec: Math.floor(Date.now() / 1000) - 5 });
    await fixture.listen();

    await expect(connectHycoSender(fixture.connectUri, expired)).rejects.toThrow('unexpected server response (401)');
    await expect(fixture.listen(undefined, expired)).rejects.toThrow('unexpected server response (401)');
    expect(fixture.relay.stats().rejects['unauthorized']).toBe(2);
  });

  test('refuses a sender whose rule lacks Send with 403, and a listener whose rule lacks Listen', async () => {
    const fixture = await startRelayFixture({
      namespace: {
        rules: [
          { name: 'listenOnly', primaryKey: 'k-listen', rights: ['Listen'] },
          { name: 'sendOnly', primaryKey: 'k-send', rights: ['Send'] },
        ],
        hybridConnections: [{ name: 'hc1' }],
      },
    });
    await fixture.listen(undefined, fixture.tokenFor('listenOnly', 'k-listen'));

    const sender = connectHycoSender(fixture.connectUri, fixture.tokenFor('listenOnly', 'k-listen'));
    await expect(sender).rejects.toThrow('unexpected server response (403)');
    const listener = fixture.listen(undefined, fixture.tokenFor('sendOnly', 'k-send'));
    await expect(listener).rejects.toThrow('unexpected server response (403)');
    expect(fixture.relay.stats().rejects['forbidden']).toBeGreaterThanOrEqual(2);
  });

  test('lets a sender without a token through when the hc does not require client authorization, but not a listener', async () => {
    const fixture = await startRelayFixture({
      namespace: {
        rules: [{ name: 'RootManageSharedAccessKey', primaryKey: 'k', rights: ['Manage'] }],
        hybridConnections: [{ name: 'hc1', requiresClientAuthorization: false }],
      },
    });
    await fixture.listen(echo);

    const sender = await connectHycoSender(fixture.connectUri, null);
    fixture.track(sender);
    const reply = collect(sender, 1);
    sender.send('anonymous');

    expect((await reply)[0]?.data.toString()).toBe('anonymous');
    await expect(fixture.listen(undefined, 'not a token')).rejects.toThrow('unexpected server response (401)');
  });

  test("accepts hyco's own createRelayToken audience with :443 style port and a token in sb-hc-token", async () => {
    const fixture = await startRelayFixture();
    const key = fixture.namespace.rules[0]?.primaryKey ?? '';
    const { hyco } = await import('../helpers/relay-hyco.js');
    const listenToken = hyco.createRelayToken(fixture.listenUri, 'RootManageSharedAccessKey', key);
    await fixture.listen(echo, listenToken);
    const sendToken = hyco.createRelayToken(fixture.connectUri.replace(/:\d+\//, ':443/'), 'RootManageSharedAccessKey', key);

    const sender = await connectHycoSender(`${fixture.connectUri}&sb-hc-token=${encodeURIComponent(sendToken)}`, null);
    fixture.track(sender);
    const reply = collect(sender, 1);
    sender.send('ping');

    expect((await reply)[0]?.data.toString()).toBe('ping');
  });
});
