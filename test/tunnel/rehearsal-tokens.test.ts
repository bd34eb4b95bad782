// Rehearsal tokens, in process with real sockets on 127.0.0.1: the emulator answering as
// <ns>.servicebus.windows.net (TLS certificate for that name, advertised port 443 mapped by a
// resolve override) refuses a token for another host, and an agent whose tokens live 2 s renews
// them before expiry while the relay closes expired channels at once — still serving afterwards.

import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { connectUri, parseConnectionString } from '../../src/azure/connection-string.js';
import { parseResolveOverride } from '../../src/azure/resolve-override.js';
import { createSasToken } from '../../src/azure/sas-token.js';
import { AZURE_WSS_PORT, createRehearsalNamespace, rehearsalConnectionStrings } from '../../src/relay/rehearsal.js';
import { startRelay, type RelayServer } from '../../src/relay/relay-server.js';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '../../src/relay/tls.js';
import { startAgent } from '../../src/tunnel/agent.js';
import { startForwarder } from '../../src/tunnel/forwarder.js';
import { installResolveOverrides, resolveAgentOption } from '../../src/tunnel/resolve-agent.js';
import { roundTripPayload, patternBytes, startEchoServer, sha256 } from '../helpers/tunnel-targets.js';

const NS = 'contoso-hc.servicebus.windows.net';
let ca: TestCertificateAuthority;
let relay: RelayServer;
let strings: ReturnType<typeof rehearsalConnectionStrings>;

beforeAll(async () => {
  ca = await createTestCertificateAuthority({ hostNames: [NS] });
  const namespace = createRehearsalNamespace(NS, ['orders']);
  relay = await startRelay({
    namespace,
    tls: { certPem: ca.certPem, keyPem: ca.keyPem },
    advertise: { host: NS, port: AZURE_WSS_PORT },
    tokenExpiry: { checkIntervalMs: 100, graceMs: 0 },
  });
  // The certificate names only NS: every socket must dial NS (mapped to the bound port) to verify.
  installResolveOverrides([parseResolveOverride(`${NS}:443:127.0.0.1:${relay.port}`)], ca.caCertPem);
  strings = rehearsalConnectionStrings(namespace, NS, 'orders');
});

afterAll(async () => {
  await relay?.close();
  await ca?.dispose();
});

/** Opens a ws 8 sender with `token`; resolves with the handshake's HTTP status (101 when it opened). */
async function senderStatus(token: string): Promise<number> {
  const uri = connectUri(parseConnectionString(strings.send));
  const ws = new WebSocket(uri, { headers: { ServiceBusAuthorization: token }, perMessageDeflate: false, ...resolveAgentOption(uri) });
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.once('error', reject);
  });
  ws.terminate();
  return status;
}

describe(`rehearsal as ${NS}`, () => {
  test('a token for another host is refused with 401; the same key for this host passes authentication', async () => {
    const send = parseConnectionString(strings.send);
    const expiresAtSec = Math.floor(Date.now() / 1000) + 600;
    const token = (host: string) => createSasToken({ resourceUri: `http://${host}/orders`, keyName: send.keyName ?? '', key: send.key ?? '', expiresAtSec });
    expect(await senderStatus(token('fabrikam-hc.servicebus.windows.net'))).toBe(401);
    // No listener is registered here: the right token gets past auth to 404 "no listeners".
    expect(await senderStatus(token(NS))).toBe(404);
    expect(relay.stats().rejects).toMatchObject({ unauthorized: 1 });
  });

  test('an agent with 2 s tokens renews them before expiry and still serves after 3 lifetimes', async () => {
    const echo = await startEchoServer();
    const abort = new AbortController();
    const agent = await startAgent({
      connection: parseConnectionString(strings.listen),
      target: { host: '127.0.0.1', port: echo.address.port },
      clientStack: 'ws8',
      tokenTtlSec: 2,
      tokenRenewIntervalMs: 500,
      signal: abort.signal,
    });
    const forwarder = await startForwarder({ connection: parseConnectionString(strings.send), clientStack: 'ws8' });
    try {
      const before = relay.stats();
      const startedAt = Date.now();
      // Wait on the relay's own count of accepted renewals (every 500 ms), bounded: past 3 token lifetimes.
      await expect.poll(() => relay.stats().tokenRenewals - before.tokenRenewals, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(12);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2 * 2000); // longer than the token lifetime, whatever the timer slack
      const payload = patternBytes(64 * 1024, 7);
      const result = await roundTripPayload(forwarder.address.port, payload);
      expect(sha256(result.data)).toBe(sha256(payload));
      expect(relay.stats().listenersExpired).toBe(before.listenersExpired);
      expect(agent.stats()).toMatchObject({ status: 'listening', listenCount: 1 });
    } finally {
      await forwarder.close();
      abort.abort();
      await agent.close();
    }
  });
});
