// How a recorded conversation ended: the party whose FIN the recorder read first. Each case fixes
// the order with events (the other party closes only after it has read the first one's FIN), so
// the recorder must report exactly that party. (With pgbench against PostgreSQL the order is a race:
// pgbench writes Terminate and then closes, PostgreSQL closes on reading Terminate.) Real sockets.

import { once } from 'node:events';
import net from 'node:net';
import { expect, test } from 'vitest';
import { listenForTest } from '../helpers/listen.js';
import { startRecordProxy } from '../../src/record/record-proxy.js';

/** Answers "hi\n" with "ok"; "quit\n" with "bye", then closes first. After the client's FIN it closes too. */
async function politeServer(): Promise<number> {
  const server = net.createServer((s) => {
    s.on('data', (chunk: Buffer) => {
      if (chunk.toString() === 'quit\n') s.end('bye');
      else s.write('ok');
    });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  return listenForTest(server);
}

test.each([
  { closer: 'client', expected: 'client-closed' },
  { closer: 'server', expected: 'server-closed' },
] as const)('the $closer closes first: the conversation ends $expected', async ({ closer, expected }) => {
  let conversationEnded: (end: string) => void = () => undefined;
  const ended = new Promise<string>((resolve) => (conversationEnded = resolve));
  const proxy = await startRecordProxy({ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: await politeServer() }, payload: 'sizes', onConversationEnd: conversationEnded });
  const client = net.connect({ host: proxy.address.host, port: proxy.address.port });
  client.on('error', () => undefined);
  await once(client, 'connect');
  client.write('hi\n');
  await once(client, 'data');
  const closed = once(client, 'close');
  if (closer === 'client') {
    client.end();
  } else {
    client.write('quit\n');
    // The server's FIN reached the client through the recorder before the client ends (net.Socket
    // ends its side on 'end' by itself: allowHalfOpen is false).
    await once(client, 'end');
  }
  await closed;
  expect(await ended).toBe(expected);
  expect(proxy.stats().connectionsOpen).toBe(0);
  const trace = await proxy.finish();
  expect(trace.conversations.map((c) => c.end)).toEqual([expected]);
});
