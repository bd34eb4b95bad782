// The relay port's front-end limits (front-end.ts) against real raw TCP clients: half-sent requests
// (slowloris) are dropped after the headers timeout instead of Node's ~80 s, connections still
// sending headers are capped per address, and upgraded WebSockets are not touched by the HTTP idle
// timeout.

import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { openRawListener, rawExchange } from '../helpers/relay-raw.js';

/** Opens a TCP connection and sends the start of a request that never completes. */
async function halfSentRequest(port: number): Promise<{ socket: Socket; closed: Promise<{ afterMs: number; text: string }> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const openedAt = Date.now();
  // 'close' follows 'error' too; once() would reject on the error instead.
  const closed = new Promise<{ afterMs: number; text: string }>((resolve) => socket.on('close', () => resolve({ afterMs: Date.now() - openedAt, text })));
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  socket.write('GET /$hc/hc1?sb-hc-action=listen HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  return { socket, closed };
}

describe('relay front end', () => {
  test('half-sent requests are closed with 408 after the headers timeout', async () => {
    const fixture = await startRelayFixture({ frontEnd: { headersTimeoutMs: 400 } });
    const clients = await Promise.all([1, 2, 3].map(() => halfSentRequest(fixture.relay.port)));

    const outcomes = await Promise.all(clients.map((c) => c.closed));

    for (const outcome of outcomes) {
      expect(outcome.text).toMatch(/^HTTP\/1\.1 408/);
      expect(outcome.afterMs).toBeGreaterThanOrEqual(350);
      // Checked every 50 ms here; Node's default would have held them 60-90 s.
      expect(outcome.afterMs).toBeLessThan(10_000);
    }
  });

  test('connections still sending headers are capped per address; the cap frees up as they close', async () => {
    const fixture = await startRelayFixture({ frontEnd: { headersTimeoutMs: 60_000, maxHandshakingPerAddress: 4 } });
    const held = await Promise.all([1, 2, 3, 4].map(() => halfSentRequest(fixture.relay.port)));

    const refused = await halfSentRequest(fixture.relay.port);
    const refusedOutcome = await refused.closed;
    const stillOpen = held.map((c) => !c.socket.destroyed);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // The relay sees the closes a moment later; until then a new connection may still be refused.
    await expect
      .poll(() => rawExchange(fixture.relay.port, 'GET /$stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').catch(() => ({ statusLine: 'refused' })))
      .toMatchObject({ statusLine: expect.stringMatching(/^HTTP\/1\.1 200/) });

    expect(refusedOutcome.text).toBe('');
    expect(stillOpen).toEqual([true, true, true, true]);
    expect(fixture.relay.stats().rejects['address-cap']).toBeGreaterThanOrEqual(1);
  });

  test('a request body that stalls is dropped after the idle timeout; an upgraded control channel idle as long stays', async () => {
    const fixture = await startRelayFixture({ frontEnd: { idleTimeoutMs: 300 } });
    const listener = await openRawListener(fixture.listenUri, fixture.token());
    fixture.track(listener.ws);
    const slowBody = connect(fixture.relay.port, '127.0.0.1');
    slowBody.on('error', () => {});
    const openedAt = Date.now();
    const slowBodyClosed = new Promise<number>((resolve) => slowBody.on('close', () => resolve(Date.now() - openedAt)));
    slowBody.write(`POST /hc1/upload HTTP/1.1\r\nHost: x\r\nServiceBusAuthorization: ${fixture.token()}\r\nContent-Length: 100\r\n\r\n0123456789`);

    const closedAfterMs = await slowBodyClosed;
    await new Promise((resolve) => setImmediate(resolve));

    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    // The control channel opened before the stalled body and carried nothing since: as idle, not closed.
    expect(listener.ws.readyState).toBe(listener.ws.OPEN);
    expect(fixture.relay.stats().listenersByHc['hc1']).toBe(1);
  });
});
