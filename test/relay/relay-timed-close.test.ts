// The emulated relay on timed legs (net/timed-socket.ts) counts how late it releases what it holds.
// A close frame carries no due time: it is held only behind the messages before it, so the time a
// peer took to close after its last message is not the relay's lateness (relayed connection churn
// read +13.8 ms of "emulation error" per round trip from it on an 11 ms path).

import net from 'node:net';
import { once } from 'node:events';
import { expect, onTestFinished, test } from 'vitest';
import { encodeRequest } from '../../src/protocol/request-response.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';

/** One way of the app ↔ relay leg, ms: the reply reaches the client, and so its reset the relay, this long after the relay released it. */
const SENDER_LEG_MS = 300;

test('a close that comes long after the last message is not counted as a late release', async () => {
  const senderLeg = { oneWayDelayMs: SENDER_LEG_MS };
  const listenerLeg = { oneWayDelayMs: 1 };
  const target = await startRequestResponseTarget({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => target.close());
  const fixture = await startTunnelRelay({ delays: { senderLeg, listenerLeg }, timedLegs: true });
  await fixture.agent(target.address, { timedLeg: listenerLeg });
  const forwarder = await fixture.forwarder({ timedLeg: senderLeg });
  const socket = net.connect({ ...forwarder.address, noDelay: true });
  await once(socket, 'connect');
  const reply = once(socket, 'data');
  socket.write(encodeRequest(16, 48));
  await reply;
  // Reset on the reply (no FIN marker follows it): only the close frames come, each reaching the
  // relay at least SENDER_LEG_MS after it released the last message of its direction.
  socket.resetAndDestroy();
  await expect.poll(() => fixture.relay.stats().bridgesActive, { timeout: 10_000, interval: 20 }).toBe(0);

  const lateness = fixture.relay.stats().releaseLateness?.summary;
  // Held: the request, the response and both closes.
  expect(lateness?.count).toBe(4);
  expect(lateness?.maxUs).toBeLessThan((SENDER_LEG_MS * 1000) / 2);
});
