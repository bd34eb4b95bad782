// The setup steps against a production-shaped relay: the emulator rehearsing as an Azure namespace
// over TLS (accept addresses name `<ns>:443` and carry `sb-hc-id=<id>_G0_…`), forwarder and agent
// in this process. The sender's connected stamp is its TLS handshake's end, so it must lie between
// its start and the agent's accept.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConnectionString } from '../../src/azure/connection-string.js';
import { joinSetupSteps } from '../../src/metrics/setup-steps.js';
import { startAgent } from '../../src/tunnel/agent.js';
import { startForwarder } from '../../src/tunnel/forwarder.js';
import { type RehearsalRelay, startRehearsalRelay } from '../helpers/rehearsal-relay.js';
import { patternBytes, roundTripPayload, sha256, startEchoServer } from '../helpers/tunnel-targets.js';

const NS = 'contoso-steps.servicebus.windows.net';
const CONNECTIONS = 8;
let rehearsal: RehearsalRelay;

beforeAll(async () => {
  rehearsal = await startRehearsalRelay(NS, 'orders');
}, 30_000);

afterAll(async () => {
  await rehearsal?.close();
});

describe('setup steps over TLS, production-shaped addresses', () => {
  test.each(['hyco-ws', 'ws8'] as const)('%s: every connection joins by its tracking id, stamps in order', async (clientStack) => {
    const echo = await startEchoServer();
    const abort = new AbortController();
    const agent = await startAgent({ connection: parseConnectionString(rehearsal.strings.listen), target: { host: '127.0.0.1', port: echo.address.port }, clientStack, signal: abort.signal });
    const forwarder = await startForwarder({ connection: parseConnectionString(rehearsal.strings.send), clientStack });
    try {
      for (let i = 0; i < CONNECTIONS; i += 1) {
        const payload = patternBytes(64, i);
        const result = await roundTripPayload(forwarder.address.port, payload);
        expect(sha256(result.data)).toBe(sha256(payload));
      }
      const stamps = forwarder.stats().setupStamps;
      const { steps, unmatched, disordered } = joinSetupSteps(stamps, agent.stats().setupStamps);
      expect({ joined: steps.length, unmatched, disordered }).toEqual({ joined: CONNECTIONS, unmatched: 0, disordered: 0 });
      // hyco-ws reports its handshake socket's TLS connect; the ws 8 stack has no such stamp.
      expect(stamps.every((s) => (s.connectedUs !== undefined) === (clientStack === 'hyco-ws'))).toBe(true);
      expect(new Set(stamps.map((s) => s.id)).size).toBe(CONNECTIONS);
    } finally {
      await forwarder.close();
      await agent.close();
      await echo.close();
    }
  }, 60_000);
});
