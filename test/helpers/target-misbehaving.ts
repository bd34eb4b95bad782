// Real misbehaving TCP peers on 127.0.0.1:0 for failure tests (autocannon's
// startSocketDestroyingServer pattern), and a port with nothing listening. Test-only.

import net from 'node:net';
import { once } from 'node:events';

/** How a misbehaving target treats each connection once it receives its first bytes. */
export type Misbehaviour =
  /** Sends a TCP RST. */
  | 'reset'
  /** Never answers (the connection stays open). */
  | 'stall'
  /** Answers with more bytes than asked for (header's response length + 1). */
  | 'too-long'
  /** Closes gracefully (FIN) without answering. */
  | 'close';

export interface StartedServer {
  address: { host: string; port: number };
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** Starts a target that misbehaves on every connection as `behaviour` says. */
export async function startMisbehavingTarget(behaviour: Misbehaviour): Promise<StartedServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (chunk: Buffer) => {
      if (behaviour === 'reset') socket.resetAndDestroy();
      if (behaviour === 'close') socket.end();
      if (behaviour === 'too-long') {
        const responseBytes = chunk.length >= 8 ? chunk.readUInt32BE(4) : 1;
        socket.write(Buffer.alloc(responseBytes + 1));
      }
    });
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host: '127.0.0.1', port },
    accepted: () => accepted,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** A 127.0.0.1 port that was just bound and released, so connecting to it is refused. */
export async function reserveClosedPort(): Promise<{ host: string; port: number }> {
  const server = net.createServer();
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { host: '127.0.0.1', port };
}

/**
 * A proxy in front of `target` whose first `refuseFirst` connections are closed (FIN) as soon
 * as they send anything, like a relay refusing a rendezvous; later ones are piped through.
 */
export async function startRefusingProxy(target: { host: string; port: number }, refuseFirst: number): Promise<StartedServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (accepted <= refuseFirst) {
      socket.once('data', () => socket.end());
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    upstream.on('close', () => sockets.delete(upstream));
    socket.on('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host: '127.0.0.1', port },
    accepted: () => accepted,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
