// The relayed connection setup in steps, across real processes: cloud (emulator), onprem (agent)
// and app-relay-client (forwarder), stamped on the shared monotonic clock and joined by the
// sender's tracking id. Also the join's handling of missing and disordered stamps.

import { createConnection, createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sharedNowUs } from '../../src/net/shared-clock.js';
import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { OpenPath } from '../../src/paths/types.js';
import { spawnRole, type RoleHandle } from '../../src/roles/role-process.js';
import { SERIAL_SETUP_STEPS, joinSetupSteps, readAgentStamps, readForwarderStamps, type ForwarderSetupStamps } from '../../src/metrics/setup-steps.js';
import { setupBreakdownLines } from '../../src/report/setup-breakdown.js';
import { createStampRing, trackingIdOfAddress } from '../../src/tunnel/setup-stamps.js';

const ZERO = { oneWayDelayMs: 0, jitterMs: 0, bandwidthBytesPerSec: 0 };
const CONNECTIONS = 12;

/** One client connection: connect, send 64 B, wait for the 64 B echo; shared-clock stamps. */
async function oneExchange(port: number): Promise<{ startUs: number; firstByteUs: number }> {
  const startUs = sharedNowUs();
  const socket = createConnection({ host: '127.0.0.1', port, noDelay: true });
  try {
    await once(socket, 'connect');
    socket.write(Buffer.alloc(64, 7));
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    const firstByteUs = sharedNowUs();
    expect(chunk.length).toBeGreaterThan(0);
    return { startUs, firstByteUs };
  } finally {
    socket.destroy();
  }
}

describe.each(['hyco-ws', 'ws8'] as const)('relayed setup steps across processes (%s)', (clientStack) => {
  let onprem: RoleHandle;
  let path: OpenPath;
  let echo: Server;

  beforeAll(async () => {
    echo = createServer((socket) => socket.on('error', () => {}).pipe(socket));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const port = (echo.address() as { port: number }).port;
    onprem = await spawnRole('onprem');
    path = await openEmulatedRelayPath({ id: 'relay', onprem, target: { host: '127.0.0.1', port }, appToRelay: ZERO, relayToAgent: ZERO, agents: 1, clientStack });
  }, 60_000);

  afterAll(async () => {
    await path?.close();
    await onprem?.stop();
    echo?.close();
  });

  test('every connection joins; the steps are ordered, sum to the forwarder total, and lie inside the client-measured setup', async () => {
    const clients = [];
    for (let i = 0; i < CONNECTIONS; i += 1) clients.push(await oneExchange(path.dialAddress.port));
    const counters = (await path.readCounters?.()) as Record<string, unknown>;
    const forwarder = readForwarderStamps((counters['forwarder'] as { setupStamps?: unknown }).setupStamps);
    // Per agent (`agents`); the summed `agent` entry does not repeat the lists.
    const agents = Object.values(counters['agents'] as Record<string, { setupStamps?: unknown }>);
    const agent = agents.flatMap((a) => readAgentStamps(a.setupStamps));
    expect((counters['agent'] as { setupStamps?: unknown }).setupStamps).toBeUndefined();
    expect(forwarder).toHaveLength(CONNECTIONS);
    expect(agent).toHaveLength(CONNECTIONS);

    const { steps, unmatched, disordered } = joinSetupSteps(forwarder, agent);
    expect({ unmatched, disordered, joined: steps.length }).toEqual({ unmatched: 0, disordered: 0, joined: CONNECTIONS });

    const byAccept = [...forwarder].sort((a, b) => a.acceptedUs - b.acceptedUs);
    for (const [i, step] of steps.entries()) {
      for (const key of SERIAL_SETUP_STEPS) expect(step[key], key).toBeGreaterThanOrEqual(0);
      expect(step.targetConnect).toBeGreaterThanOrEqual(0);
      const sum = SERIAL_SETUP_STEPS.reduce((total, key) => total + step[key], 0);
      expect(Math.abs(sum - step.totalUs)).toBeLessThan(0.01);
      // Connections ran one at a time: the i-th accepted belongs to the i-th client, inside its span.
      const stamps = byAccept[i] as ForwarderSetupStamps;
      const client = clients[i] as { startUs: number; firstByteUs: number };
      expect(stamps.acceptedUs).toBeGreaterThanOrEqual(client.startUs);
      expect(stamps.firstByteUs).toBeLessThanOrEqual(client.firstByteUs);
      expect(step.totalUs).toBeLessThanOrEqual(client.firstByteUs - client.startUs);
    }

    const text = setupBreakdownLines({ relay: counters }).join('\n');
    expect(text).toContain(`p50 / p99 of the last ${CONNECTIONS} connections;`);
    for (const label of ['local accept', 'sender WebSocket handshake', 'accept control message', "listener's rendezvous WebSocket", 'target connect', 'first byte']) {
      expect(text).toContain(label);
    }
  }, 60_000);
});

describe('setup-step join', () => {
  const f = (id: string, base: number, extra: Partial<ForwarderSetupStamps> = {}): ForwarderSetupStamps => ({
    id, acceptedUs: base, startedUs: base + 10, connectedUs: base + 60, openUs: base + 400, firstByteUs: base + 700, ...extra,
  });
  const a = (id: string, base: number) => ({ id, offeredUs: base + 200, openUs: base + 390, targetUs: base + 300 });

  test('steps telescope to the total; target connect is measured from the accept message', () => {
    const { steps } = joinSetupSteps([f('x1', 1000)], [a('x1', 1000)]);
    expect(steps).toEqual([{ localAccept: 10, senderHandshake: 50, acceptMessage: 140, rendezvousWebSocket: 200, firstByte: 300, targetConnect: 100, totalUs: 700 }]);
  });

  test('missing, duplicated and out-of-order stamps are counted, not joined', () => {
    const result = joinSetupSteps(
      [f('ok', 0), f('noAgent', 0), f('noFirst', 0, { firstByteUs: undefined }), f('dup', 0), f('late', 0)],
      [a('ok', 0), a('dup', 0), a('dup', 5), { id: 'late', offeredUs: 500, openUs: 600, targetUs: 600 }, a('noFirst', 0)],
    );
    expect(result.steps).toHaveLength(1);
    expect(result.unmatched).toBe(3);
    expect(result.disordered).toBe(1);
  });

  test('hostile stamps from a result file are dropped, not trusted', () => {
    expect(readForwarderStamps([f('a', 0), { id: 'b', acceptedUs: 'x' }, null, 7])).toHaveLength(1);
    expect(readAgentStamps({ not: 'an array' })).toEqual([]);
    expect(readAgentStamps([{ id: 'c', offeredUs: Number.NaN }])).toEqual([]);
  });

  test('tracking ids come back from accept addresses with gateway suffixes; the ring keeps the newest', () => {
    expect(trackingIdOfAddress('ws://127.0.0.1:1/$hc/h?a=1&sb-hc-action=accept&sb-hc-id=hcb1x2_G0_abc')).toBe('hcb1x2');
    expect(trackingIdOfAddress('wss://g1.example/$hc/h?sb-hc-id=hcb9_G13&sb-hc-action=accept')).toBe('hcb9');
    expect(trackingIdOfAddress('wss://g1.example/$hc/h?sb-hc-action=accept')).toBeUndefined();
    const ring = createStampRing<number>(3);
    for (let i = 1; i <= 5; i += 1) ring.push(i);
    expect(ring.snapshot()).toEqual([3, 4, 5]);
  });
});
