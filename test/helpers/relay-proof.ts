// Proof that a relay still serves: a fresh hyco-ws listener and sender on one hybrid connection
// exchange one message. Used after every malformed-input test. Test-only.

import { expect } from 'vitest';
import type { RelayFixture } from './relay-fixture.js';
import { connectHycoSender, type HycoMessageFlags, type HycoSocket } from './relay-hyco.js';

/** Echoes one text message through `hcName` with brand-new hyco-ws peers, then closes them. */
export async function expectRelayServes(fixture: RelayFixture, hcName = fixture.hcName): Promise<void> {
  const endpoints = fixture.endpointsFor(hcName);
  const listener = await fixture.listen(
    (ws: HycoSocket) => ws.on('message', (data: string | Buffer, flags: HycoMessageFlags) => ws.send(data, { binary: flags.binary === true })),
    endpoints.token,
    { listenUri: endpoints.listenUri },
  );
  const sender = await connectHycoSender(endpoints.connectUri, endpoints.token());
  fixture.track(sender);
  const reply = new Promise<string>((resolve) => sender.once('message', (data: string | Buffer) => resolve(String(data))));
  sender.send('still serving');

  expect(await reply).toBe('still serving');
  sender.close();
  await listener.close();
}
