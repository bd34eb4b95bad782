// Half-close through the emulator, as Azure does it (src/relay/README.md): a Close from one peer
// is forwarded to the other at once, and the other peer's data keeps arriving at the closing
// peer until that peer closes too. Both peers are ws 8 clients on real sockets; the peer that
// keeps sending does so from the moment it receives the Close (before ws 8 sends its reply), so
// every message is provably sent after the Close travelled through the relay.

import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import type WebSocket from 'ws';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { openRawListener, openWs8 } from '../helpers/relay-raw.js';

const MESSAGES = 50;
const MESSAGE_BYTES = 1024;

/** Opens a relayed connection: [sender, listener-side rendezvous socket]. */
async function openPair(): Promise<{ sender: WebSocket; listener: WebSocket }> {
  const fixture = await startRelayFixture();
  const control = await openRawListener(fixture.listenUri, fixture.token());
  fixture.track(control.ws);
  const senderOpening = openWs8(fixture.connectUri, { token: fixture.token() });
  const accept = await control.nextAccept();
  const listenerSide = await openWs8(accept.address);
  const senderSide = await senderOpening;
  if (listenerSide.kind !== 'open' || senderSide.kind !== 'open') throw new Error(`rendezvous failed: ${JSON.stringify([listenerSide, senderSide]).slice(0, 300)}`);
  fixture.track(listenerSide.ws);
  fixture.track(senderSide.ws);
  return { sender: senderSide.ws, listener: listenerSide.ws };
}

/** Sends numbered messages from inside the Close's arrival, before ws 8 answers it (as a .NET peer that keeps writing after Shutdown). */
function keepSendingOnClose(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver: { prependListener(event: 'conclude', fn: () => void): void } })._receiver;
  receiver.prependListener('conclude', () => {
    for (let i = 0; i < MESSAGES; i++) ws.send(Buffer.alloc(MESSAGE_BYTES, i % 256));
  });
}

describe('relay half-close', () => {
  test.each(['sender', 'listener'] as const)('the %s closes first; the other side\'s data still reaches it, then both are closed', { timeout: 20_000 }, async (first) => {
    const pair = await openPair();
    const closer = first === 'sender' ? pair.sender : pair.listener;
    const peer = first === 'sender' ? pair.listener : pair.sender;
    keepSendingOnClose(peer);
    const received: Buffer[] = [];
    closer.on('message', (data: Buffer) => received.push(data));
    const closerClosed = once(closer, 'close');
    const peerClosed = once(peer, 'close');

    closer.close(4001, 'half-close');

    const [peerCode, peerReason] = (await peerClosed) as [number, Buffer];
    const [closerCode] = (await closerClosed) as [number, Buffer];
    // The peer got the Close as sent; the closer got every message the peer wrote after it, in order.
    expect(peerCode).toBe(4001);
    expect(peerReason.toString()).toBe('half-close');
    expect(received).toHaveLength(MESSAGES);
    received.forEach((message, i) => {
      expect(message.length).toBe(MESSAGE_BYTES);
      expect(message[0]).toBe(i % 256);
    });
    // ws 8 answers with the code it received; the relay forwarded that answer, closing the closer.
    expect(closerCode).toBe(4001);
    expect(closer.readyState).toBe(closer.CLOSED);
    expect(peer.readyState).toBe(peer.CLOSED);
  });
});
