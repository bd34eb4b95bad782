// Rehearsal tokens, in process with real sockets on 127.0.0.1: the emulator answering as
// <ns>.servicebus.windows.net (TLS certificate for that name, advertised port 443 mapped by a
// resolve override) refuses a token for another host, and an agent and a tunnel whose tokens live
// 4 s renew them before expiry on both client stacks while the relay closes expired channels 1 s late.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { connectUri, parseConnectionString } from '../../src/azure/connection-string.js';
import { createSasToken } from '../../src/azure/sas-token.js';
import type { RelayServer } from '../../src/relay/relay-server.js';
import { startAgent } from '../../src/tunnel/agent.js';
import { startForwarder } from '../../src/tunnel/forwarder.js';
import { resolveAgentOption } from '../../src/tunnel/resolve-agent.js';
import { type RehearsalRelay, startRehearsalRelay } from '../helpers/rehearsal-relay.js';
import { roundTripPayload, patternBytes, startEchoServer, sha256 } from '../helpers/tunnel-targets.js';

const NS = 'contoso-hc.servicebus.windows.net';
let rehearsal: RehearsalRelay;
let relay: RelayServer;
let strings: RehearsalRelay['strings'];

beforeAll(async () => {
  rehearsal = await startRehearsalRelay(NS, 'orders', { tokenExpiry: { checkIntervalMs: 100, graceMs: 1000 } });
  relay = rehearsal.relay;
  strings = rehearsal.strings;
});

afterAll(async () => {
  await rehearsal?.close();
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

  // hyco-ws 1.0.5 alone renews every 60 min, fixed (relay-protocol.md §8.2 defect 7): with 4 s tokens its
  // channel would be closed 1008 at the first expiry (plus the relay's 1 s grace, which absorbs a stalled loop). The agent renews on its own schedule, half the
  // lifetime by default, on both stacks; the tunnel re-signs its sender tokens likewise.
  test.each(['hyco-ws', 'ws8'] as const)('%s: 4 s listen and send tokens are renewed before expiry over more than 3 lifetimes, no expiry, no refusal', async (clientStack) => {
    const ttlSec = 4;
    const echo = await startEchoServer();
    const abort = new AbortController();
    const agent = await startAgent({
      connection: parseConnectionString(strings.listen),
      target: { host: '127.0.0.1', port: echo.address.port },
      clientStack,
      tokenTtlSec: ttlSec,
      signal: abort.signal,
    });
    const forwarder = await startForwarder({ connection: parseConnectionString(strings.send), clientStack, tokenTtlSec: ttlSec });
    try {
      const before = relay.stats();
      const startedAt = Date.now();
      // A new relayed connection at a time, each a full round trip, until past 3 token lifetimes (bounded by count too).
      let roundTrips = 0;
      while (Date.now() - startedAt <= 3 * ttlSec * 1000 + 500 && roundTrips < 10_000) {
        const payload = patternBytes(4096, roundTrips);
        const result = await roundTripPayload(forwarder.address.port, payload);
        expect(sha256(result.data)).toBe(sha256(payload));
        roundTrips += 1;
      }
      const after = relay.stats();
      const agentStats = agent.stats();
      // Renewed every 2 s for 12.5 s: at least 4 sent (a stalled loop may skip a tick), each accepted by the relay (the last may be in flight).
      expect(agentStats.tokenRenewalsSent).toBeGreaterThanOrEqual(4);
      expect(after.tokenRenewals - before.tokenRenewals).toBeGreaterThanOrEqual(agentStats.tokenRenewalsSent - 1);
      // Sender tokens re-signed every 2 s while connections keep opening: at least one per lifetime.
      expect(forwarder.stats().tokensSigned).toBeGreaterThanOrEqual(4);
      expect(after.listenersExpired).toBe(before.listenersExpired);
      expect(after.rejects).toEqual(before.rejects);
      expect(agentStats).toMatchObject({ status: 'listening', listenCount: 1, listenFailures: 0, connectionsFailed: 0 });
      expect(forwarder.stats()).toMatchObject({ connectionsAccepted: roundTrips, connectionsFailed: 0 });
    } finally {
      await forwarder.close();
      abort.abort();
      await agent.close();
    }
  }, 40_000);
});
