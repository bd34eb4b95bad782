// Small measuring helpers for calibrate: an in-process TCP echo server and a sequential 64 B
// ping-pong over one TCP connection, returning each round trip in µs.
// Everything opened here is closed here; nothing is printed.

import net from 'node:net';
import { exchangeOnce } from '../net/exchange.js';
import { once } from 'node:events';

export interface EchoServer {
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** A TCP echo server on 127.0.0.1:0 (noDelay), for loopback round trips. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host: '127.0.0.1', port },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `roundTrips` sequential 64 B TCP round trips (after `warmup` unrecorded ones); µs each. */
export async function tcpPingPongUs(address: { host: string; port: number }, roundTrips: number, warmup = 5, timeoutMs = 10_000): Promise<number[]> {
  const socket = net.connect({ host: address.host, port: address.port, noDelay: true });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const payload = Buffer.alloc(64, 1);
  const results: number[] = [];
  try {
    for (let i = 0; i < warmup + roundTrips; i += 1) {
      const start = process.hrtime.bigint();
      await exchangeOnce(socket, payload, payload.length, timeoutMs);
      if (i >= warmup) results.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return results;
  } finally {
    socket.destroy();
  }
}
