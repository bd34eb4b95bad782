import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { encodeRequest } from '../../src/protocol/request-response.js';

/** Connects to the target; the caller owns the socket. */
async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Resolves with the byte count once `bytes` arrived (or fewer if the socket closes first). */
function readBytes(socket: net.Socket, bytes: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received >= bytes) done();
    };
    const done = (): void => {
      socket.off('data', onData);
      resolve(received);
    };
    socket.on('data', onData);
    socket.once('close', done);
    signal.addEventListener('abort', () => reject(new Error('timed out waiting for response bytes')), { once: true });
  });
}

describe('startRequestResponseTarget', () => {
  test('answers a request written in small pieces with exactly the asked response length', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const socket = await connect(target.address.port);
    onTestFinished(() => void socket.destroy());
    const request = encodeRequest(300, 4096);

    const reading = readBytes(socket, 4096, AbortSignal.timeout(5000));
    for (let offset = 0; offset < request.length; offset += 7) {
      socket.write(request.subarray(offset, offset + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const received = await reading;

    expect(received).toBe(4096);
    expect(target.stats()).toMatchObject({ requests: 1, bytesReceived: 300, bytesSent: 4096, connectionsAccepted: 1 });
  });

  test('answers three requests coalesced into one write with the sum of their responses', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const socket = await connect(target.address.port);
    onTestFinished(() => void socket.destroy());
    const batch = Buffer.concat([encodeRequest(8, 10), encodeRequest(16, 20), encodeRequest(100_000, 70_000)]);

    const reading = readBytes(socket, 70_030, AbortSignal.timeout(5000));
    socket.write(batch);
    const received = await reading;
    socket.end();
    await once(socket, 'close');

    expect(received).toBe(70_030);
    expect(target.stats()).toMatchObject({ requests: 3, bytesReceived: batch.length, bytesSent: 70_030 });
  });

  test('closes only the connection that sends a malformed header', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const bad = await connect(target.address.port);
    onTestFinished(() => void bad.destroy());
    const good = await connect(target.address.port);
    onTestFinished(() => void good.destroy());

    const closed = once(bad, 'close');
    bad.write(Buffer.alloc(8));
    await closed;
    const reading = readBytes(good, 5, AbortSignal.timeout(5000));
    good.write(encodeRequest(8, 5));

    expect(await reading).toBe(5);
    expect(target.stats()).toMatchObject({ protocolErrors: 1, requests: 1 });
  });

  test('close destroys open connections and releases the port', async () => {
    const target = await startRequestResponseTarget();
    const socket = await connect(target.address.port);
    const socketClosed = once(socket, 'close');

    await target.close();
    await socketClosed;
    const again = net.createServer();
    again.listen({ host: '127.0.0.1', port: target.address.port });
    await once(again, 'listening');
    await new Promise<void>((resolve) => again.close(() => resolve()));

    expect(target.stats().connectionsActive).toBe(0);
  });
});
