// Listening for one test: a server on 127.0.0.1, port 0, closed when the test finishes.

import { once } from 'node:events';
import type net from 'node:net';
import { onTestFinished } from 'vitest';

/** Listens on 127.0.0.1 (port 0), closes the server when the current test finishes, and returns the port. */
export async function listenForTest(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => void server.close());
  return (server.address() as net.AddressInfo).port;
}
