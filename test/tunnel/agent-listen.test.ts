// The agent's registration with the relay: backoff instead of hyco-ws's hot reconnect loop, status
// changes, start before the relay is up, load sharing between two agents and one of them stopping.

import { once } from 'node:events';
import { describe, expect, onTestFinished, test } from 'vitest';
import { formatConnectionString, parseConnectionString } from '../../src/azure/connection-string.js';
import { HarnessError } from '../../src/errors.js';
import { createDefaultNamespace, defaultRuleName } from '../../src/relay/namespace.js';
import { startRelay } from '../../src/relay/relay-server.js';
import { type Agent, startAgent } from '../../src/tunnel/agent.js';
import { backoffDelayMs, defaultBackoffPolicy } from '../../src/tunnel/backoff.js';
import { clientStacks } from '../../src/tunnel/client-stack.js';
import { startForwarder } from '../../src/tunnel/forwarder.js';
import type { TunnelLogEvent } from '../../src/tunnel/types.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { connectClient, drain, freePort, patternBytes, roundTripPayload, sha256, startEchoServer } from '../helpers/tunnel-targets.js';

async function roundTrips(port: number, count: number): Promise<void> {
  const payloads = Array.from({ length: count }, (_, i) => patternBytes(100 + i, i + 1));
  const results = await Promise.all(payloads.map((p) => roundTripPayload(port, p)));
  results.forEach((r, i) => expect(sha256(r.data)).toBe(sha256(payloads[i] ?? Buffer.alloc(0))));
}

describe('backoffDelayMs', () => {
  test.each([
    [0, 0.5, 100],
    [1, 0.5, 200],
    [5, 0.5, 3200],
    [20, 0.5, 30_000],
    [0, 0, 80],
    [0, 0.999999, 120],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, defaultBackoffPolicy, () => random)).toBe(expected);
  });
});

describe('agent registration', () => {
  test('two agents share 200 connections; after one stops, new connections all reach the other', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay();
    const agentA = await path.agent(target.address);
    const agentB = await path.agent(target.address);
    const forwarder = await path.forwarder();
    await expect.poll(() => path.relay.stats().listenersByHc['hc1']).toBe(2);

    await roundTrips(forwarder.address.port, 100);
    const acceptedA = agentA.stats().connectionsAccepted;
    expect(acceptedA).toBeGreaterThan(0);
    expect(agentB.stats().connectionsAccepted).toBeGreaterThan(0);
    expect(acceptedA + agentB.stats().connectionsAccepted).toBe(100);
    await agentA.close();
    await expect.poll(() => path.relay.stats().listenersByHc['hc1']).toBe(1);
    await roundTrips(forwarder.address.port, 100);

    expect(agentA.stats()).toMatchObject({ connectionsAccepted: acceptedA, status: 'closed' });
    expect(agentB.stats().connectionsAccepted).toBe(200 - acceptedA);
    expect(agentB.stats().targetConnectionsOpened).toBe(200 - acceptedA);
    expect(forwarder.stats()).toMatchObject({ connectionsAccepted: 200, connectionsFailed: 0, errors: {} });
  }, 60_000);

  test.each(clientStacks)('an agent (%s) started before the relay retries with backoff and serves once the relay is up', async (clientStack) => {
    const target = await startEchoServer();
    const port = await freePort();
    const namespace = createDefaultNamespace('hc1');
    const key = namespace.rules[0]?.primaryKey ?? '';
    const connection = parseConnectionString(
      formatConnectionString({ endpoint: `ws://127.0.0.1:${port}/`, keyName: defaultRuleName, key, entityPath: 'hc1' }),
    );
    const logs: TunnelLogEvent[] = [];
    let agent: Agent | undefined;
    let onReconnecting: () => void = () => undefined;
    const reconnecting = new Promise<void>((resolve) => (onReconnecting = resolve));
    const log = (e: TunnelLogEvent): void => {
      logs.push(e);
      if (e.event === 'agent-status' && e.data?.['status'] === 'reconnecting') onReconnecting();
    };
    // failFastMs 0: this agent is meant to wait for a relay that is not up yet.
    const started = startAgent({ connection, target: target.address, log, startTimeoutMs: 20_000, failFastMs: 0, clientStack });
    void started.then((a) => (agent = a));
    onTestFinished(async () => {
      await (agent ?? (await started.catch(() => undefined)))?.close();
    });

    // The first refused attempt (no relay on the port yet), then the relay comes up.
    await reconnecting;
    const statusLogs = logs.filter((e) => e.event === 'agent-status');
    expect(statusLogs.map((e) => e.data?.['status'])).toEqual(['reconnecting']);
    expect(agent).toBeUndefined();
    const relay = await startRelay({ namespace, port });
    onTestFinished(() => relay.close());
    const running = await started;
    const forwarder = await startForwarder({ connection, clientStack });
    onTestFinished(() => forwarder.close());
    await roundTrips(forwarder.address.port, 3);

    const stats = running.stats();
    // hyco-ws alone retries ~450-1500 times per second; with backoff (100 ms doubling) it is a handful.
    expect(stats.listenFailures).toBeGreaterThan(0);
    expect(stats.listenFailures).toBeLessThan(15);
    expect(stats.listenErrors).toEqual({ 'relay-unreachable': stats.listenFailures });
    expect(stats).toMatchObject({ status: 'listening', listenCount: 1, connectionsAccepted: 3 });
    expect(logs.filter((e) => e.event === 'agent-status').map((e) => e.data?.['status'])).toEqual(['reconnecting', 'listening']);
  }, 30_000);

  test('a refused listen (bad key) ends in status failed after maxListenAttempts and start rejects', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay();
    const connection = { ...path.connection, key: 'not-the-key' };

    const start = startAgent({ connection, target: target.address, maxListenAttempts: 3, backoff: { initialMs: 10 } });

    const error = await start.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('ERR_PATH_SETUP');
    expect((error as Error).message).toContain('relay-401');
    expect(path.relay.stats().rejects).toMatchObject({ unauthorized: 3 });
  });

  test.each(clientStacks)('an agent (%s) re-registers after the relay restarts on the same port', async (clientStack) => {
    const target = await startEchoServer();
    const namespace = createDefaultNamespace('hc1');
    const first = await startRelay({ namespace });
    const connection = parseConnectionString(first.connectionString('hc1'));
    const agent = await startAgent({ connection, target: target.address, backoff: { initialMs: 20, maxMs: 200 }, clientStack });
    let second: Awaited<ReturnType<typeof startRelay>> | undefined;
    onTestFinished(async () => {
      await agent.close();
      await first.close();
      await second?.close();
    });

    await first.close();
    await expect.poll(() => agent.stats().status).toBe('reconnecting');
    second = await startRelay({ namespace, port: first.port });
    await expect.poll(() => agent.stats().status, { timeout: 10_000 }).toBe('listening');
    const forwarder = await startForwarder({ connection });
    onTestFinished(() => forwarder.close());
    await roundTrips(forwarder.address.port, 2);

    expect(agent.stats()).toMatchObject({ listenCount: 2, connectionsAccepted: 2 });
  }, 30_000);

  test('the ws8 listener renews its token with renewToken; the relay accepts it and keeps the channel', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay();
    const agent = await path.agent(target.address, { clientStack: 'ws8', tokenRenewIntervalMs: 100 });

    await expect.poll(() => path.relay.stats().tokenRenewals, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    expect(agent.stats()).toMatchObject({ status: 'listening', listenCount: 1, listenFailures: 0 });
  });

  test('close({ drainMs }) unregisters at once but lets a live connection finish cleanly', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay();
    const agent = await path.agent(target.address);
    const forwarder = await path.forwarder();
    const client = await connectClient(forwarder.address.port, true);
    client.write('a');
    await once(client, 'data');

    const closing = agent.close({ drainMs: 10_000 });
    await expect.poll(() => path.relay.stats().listenersByHc['hc1']).toBe(0);
    client.write('b');
    const [echoed] = (await once(client, 'data')) as [Buffer];
    const rest = drain(client);
    client.end();

    expect(echoed.toString()).toBe('b');
    expect((await rest).how).toBe('end');
    await closing;
    expect(agent.stats()).toMatchObject({ status: 'closed', connectionsAccepted: 1, connectionsFailed: 0, errors: {} });
  });
});
