// Relay-side faults seen by the tunnel endpoints (relay emulator fault switches): unreachable relay,
// rendezvous timeout, cut connections, dropped and refused control channels, expired tokens.
// Failures must be counted by kind, live connections must survive a control-channel drop.

import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { clientStacks } from '../../src/tunnel/client-stack.js';
import { startForwarder } from '../../src/tunnel/forwarder.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { connectClient, drain, freePort, roundTripPayload, startEchoServer } from '../helpers/tunnel-targets.js';

describe.each(clientStacks)('relay faults (%s)', (clientStack) => {
  test('an unreachable relay is counted as relay-unreachable and the client is reset', async () => {
    const path = await startTunnelRelay({}, { clientStack });
    const deadPort = await freePort();
    const forwarder = await startForwarder({ connection: { ...path.connection, baseUrl: `ws://127.0.0.1:${deadPort}` }, clientStack });

    const result = await roundTripPayload(forwarder.address.port, Buffer.from('x'));
    await forwarder.close();

    expect(result.how).toBe('error');
    expect(forwarder.stats().errors).toEqual({ 'relay-unreachable': 1 });
  });

  test('a listener that never takes the accept ends in rendezvous-timeout after setupTimeoutMs', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay({}, { clientStack });
    await path.agent(target.address);
    const forwarder = await path.forwarder({ setupTimeoutMs: 300 });
    path.relay.faults.delayAccepts(5000);

    const result = await roundTripPayload(forwarder.address.port, Buffer.from('x'));

    expect(result.how).toBe('error');
    await expect.poll(() => forwarder.stats().errors).toEqual({ 'rendezvous-timeout': 1 });
    path.relay.faults.reset();
  });

  test('a relayed connection cut by the relay (1011) resets both TCP ends', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay({}, { clientStack });
    const agent = await path.agent(target.address);
    const forwarder = await path.forwarder();
    const client = await connectClient(forwarder.address.port);
    client.write('ping');
    await once(client, 'data');
    const clientSide = drain(client);

    expect(path.relay.faults.cutConnections(1011)).toBe(1);

    expect(await clientSide).toMatchObject({ how: 'error', errorCode: 'ECONNRESET' });
    await expect.poll(() => agent.stats().errors).toEqual({ 'reset-remote': 1 });
    expect(forwarder.stats().errors).toEqual({ 'reset-remote': 1 });
  });

  test('a dropped control channel re-registers; connections open at the time keep working', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay({}, { clientStack });
    const agent = await path.agent(target.address, { backoff: { initialMs: 20 } });
    const forwarder = await path.forwarder();
    const client = await connectClient(forwarder.address.port);
    client.write('before');
    await once(client, 'data');

    expect(path.relay.faults.disconnectListeners(1011)).toBe(1);
    await expect.poll(() => agent.stats().listenCount, { timeout: 10_000 }).toBe(2);
    client.write('after');
    const [echoed] = (await once(client, 'data')) as [Buffer];
    const fresh = await roundTripPayload(forwarder.address.port, Buffer.from('new connection'));

    expect(echoed.toString()).toBe('after');
    expect(fresh.data.toString()).toBe('new connection');
    expect(agent.stats()).toMatchObject({ status: 'listening', connectionsFailed: 0 });
  });

  test('refused listens back off, and the agent registers once the relay accepts again', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay({}, { clientStack });
    const agent = await path.agent(target.address, { backoff: { initialMs: 50, maxMs: 200 } });

    path.relay.faults.refuseListeners(true);
    path.relay.faults.disconnectListeners(1011);
    await expect.poll(() => agent.stats().listenFailures, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // From the 3rd failure on the backoff is 200 ms ± 20 %: failures f+1 -> f+3 take >= 2 x 160 ms,
    // whereas hyco-ws alone retries hundreds of times per second. A slow machine only adds time.
    const seen = { failures: agent.stats().listenFailures, atMs: performance.now() };
    await expect.poll(() => agent.stats().listenFailures, { timeout: 10_000 }).toBeGreaterThanOrEqual(seen.failures + 3);
    const threeFailuresMs = performance.now() - seen.atMs;
    path.relay.faults.refuseListeners(false);
    await expect.poll(() => agent.stats().status, { timeout: 10_000 }).toBe('listening');

    expect(threeFailuresMs).toBeGreaterThanOrEqual(2 * 160);
    expect(agent.stats().listenErrors['relay-other']).toBeGreaterThanOrEqual(2);
  });

  test('an expired token (1008) makes the agent register again with a fresh token', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay({}, { clientStack });
    const agent = await path.agent(target.address, { backoff: { initialMs: 20 } });
    const forwarder = await path.forwarder();

    expect(path.relay.faults.expireTokensNow()).toBe(1);
    await expect.poll(() => agent.stats().listenCount, { timeout: 10_000 }).toBe(2);
    const result = await roundTripPayload(forwarder.address.port, Buffer.from('renewed'));

    expect(result.data.toString()).toBe('renewed');
    expect(agent.stats().status).toBe('listening');
  });
});
