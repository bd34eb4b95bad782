// The scale entry's connection holder against real sockets: every connection either counts as
// held or as an error (never both), and one that a server resets is never counted as held.

import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, onTestFinished, test } from 'vitest';
import { holdConnections } from '../../bench/lib/hold-connections.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';

/** Answers 64 B per 64 B received on odd connections; resets every even one at once. */
async function startHalfResettingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (accepted % 2 === 0) {
      socket.resetAndDestroy();
      return;
    }
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      while (pending >= 64) {
        pending -= 64;
        socket.write(Buffer.alloc(64));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('holdConnections', () => {
  test('holds every connection to the built-in target with no errors', async () => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const result = await holdConnections({
      dialAddress: target.address,
      connections: 30,
      concurrency: 8,
      holdMs: 200,
      timeoutMs: 10_000,
      openDeadlineMs: 20_000,
      pids: { self: process.pid },
      clientPid: process.pid,
      signal: AbortSignal.timeout(30_000),
    });

    expect(result).toMatchObject({ held: 30, errors: 0, notOpened: 0 });
    // The client is reported apart and never summed into the total (here: the same process twice).
    expect(Object.keys(result.rssBytesPerConnection).sort()).toEqual(['client', 'self', 'total']);
    expect(result.rssBytesPerConnection['total']).toBe(result.rssBytesPerConnection['self']);
    expect(target.stats().requests).toBe(60);
  });

  test('counts a reset connection as an error, never as held', async () => {
    const server = await startHalfResettingServer();
    onTestFinished(() => server.close());

    const result = await holdConnections({
      dialAddress: { host: '127.0.0.1', port: server.port },
      connections: 20,
      concurrency: 1,
      holdMs: 200,
      timeoutMs: 5_000,
      openDeadlineMs: 20_000,
      pids: {},
      signal: AbortSignal.timeout(30_000),
    });

    expect(result.held).toBe(10);
    expect(result.errors).toBe(10);
    expect(result.held + result.errors + result.notOpened).toBe(20);
    expect(result.errorSamples.every((m) => m.startsWith('open:'))).toBe(true);
  });
});
