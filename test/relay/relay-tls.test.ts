// wss:// on the emulator with a generated CA: ws 8 peers trust it via `ca`, unmodified hyco-ws
// peers via NODE_EXTRA_CA_CERTS in a child process; without trust the handshake fails.

import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '../../src/relay/tls.js';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { runHycoEchoChild } from '../helpers/relay-child.js';
import { openRawListener, openWs8 } from '../helpers/relay-raw.js';

let ca: TestCertificateAuthority;

beforeAll(async () => {
  ca = await createTestCertificateAuthority();
});

afterAll(async () => {
  await ca.dispose();
});

describe('relay emulator over TLS', () => {
  test('serves wss:// and relays between ws 8 peers that trust the generated CA', async () => {
    const fixture = await startRelayFixture({ tls: { certPem: ca.certPem, keyPem: ca.keyPem } });
    const listener = await openRawListener(fixture.listenUri, fixture.token(), { ca: ca.caCertPem });
    fixture.track(listener.ws);

    const sender = openWs8(fixture.connectUri, { token: fixture.token(), ca: ca.caCertPem });
    const accept = await listener.nextAccept();
    const listenerSide = await openWs8(accept.address, { ca: ca.caCertPem });
    const senderSide = await sender;
    if (listenerSide.kind !== 'open' || senderSide.kind !== 'open') throw new Error('rendezvous failed');
    fixture.track(listenerSide.ws);
    fixture.track(senderSide.ws);
    const received = once(listenerSide.ws, 'message');
    senderSide.ws.send('secret');

    expect(fixture.relay.url.startsWith('wss://127.0.0.1:')).toBe(true);
    expect(accept.address.startsWith('wss://127.0.0.1:')).toBe(true);
    expect(String((await received)[0])).toBe('secret');
  });

  test('refuses clients that do not trust the CA at the TLS layer', async () => {
    const fixture = await startRelayFixture({ tls: { certPem: ca.certPem, keyPem: ca.keyPem } });

    const outcome = await openWs8(fixture.listenUri, { token: fixture.token() });

    expect(outcome).toMatchObject({ kind: 'failed', message: expect.stringMatching(/certificate/i) });
  });

  test('unmodified hyco-ws listener and sender echo over wss:// with NODE_EXTRA_CA_CERTS, and fail without it', async () => {
    const fixture = await startRelayFixture({ tls: { certPem: ca.certPem, keyPem: ca.keyPem } });
    const uris = { listenUri: fixture.listenUri, connectUri: fixture.connectUri, token: fixture.token() };

    const trusted = await runHycoEchoChild(uris, { NODE_EXTRA_CA_CERTS: ca.caCertPath });
    const untrusted = await runHycoEchoChild(uris);

    expect(trusted).toEqual({ echoed: 'over tls' });
    expect(untrusted).toMatchObject({ error: expect.stringMatching(/certificate/i) });
    expect(fixture.relay.stats().bridgesTotal).toBe(1);
  });
});
