// The built-in target's injected service time: requests queue for `concurrency` workers, so the
// answer rate never exceeds concurrency × 1e6 / serviceTimeUs, however fast requests arrive.

import { once } from 'node:events';
import net from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';

function request(responseBytes: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(16, 0);
  b.writeUInt32BE(responseBytes, 4);
  return b;
}

test.each([
  [5_000, 2, 100],
  [2_000, 1, 50],
])('serviceTimeUs %i with %i workers answers %i pipelined requests no faster than the ceiling, all of them', async (serviceTimeUs, concurrency, requests) => {
  const target = await startRequestResponseTarget({ serviceTimeUs, concurrency });
  onTestFinished(() => target.close());
  const socket = net.connect(target.address.port, '127.0.0.1');
  onTestFinished(() => {
    socket.destroy();
  });
  await once(socket, 'connect');

  const startMs = performance.now();
  let received = 0;
  const done = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => (received += chunk.length) >= requests * 8 && resolve()));
  socket.write(Buffer.concat(Array.from({ length: requests }, () => request(8))));
  await Promise.race([done, once(socket, 'close'), new Promise((_, reject) => AbortSignal.timeout(20_000).addEventListener('abort', () => reject(new Error('timeout'))))]);
  const elapsedMs = performance.now() - startMs;

  const ceilingMs = (requests / concurrency) * (serviceTimeUs / 1000);
  expect(received).toBe(requests * 8);
  expect(target.stats().requests).toBe(requests);
  expect(elapsedMs).toBeGreaterThanOrEqual(ceilingMs * 0.95);
  expect(elapsedMs).toBeLessThan(ceilingMs * 3 + 2_000);
});
