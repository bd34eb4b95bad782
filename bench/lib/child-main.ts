// Entry of a bench helper process (run with `node --import tsx`): starts one small server kind
// named in argv[2] with JSON params in argv[3], reports `{ ready, port }` over IPC, and exits
// when the parent disconnects or sends 'stop'. Kinds: http-target, ws-echo, relay-echo-listener,
// pipe-proxy, record-proxy (hcbench record's proxy, trace discarded). It measures nothing; it exists so servers do not share the generator's event loop.

import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { listenUri, parseConnectionString, tokenProvider } from '../../src/azure/connection-string.js';
import { startDelayProxy } from '../../src/net/delay-proxy.js';
import { startRecordProxy } from '../../src/record/record-proxy.js';
import { startHttpTarget } from '../../src/targets/http-server.js';
import { createWs8RelayedServer } from '../../src/tunnel/ws8-listener.js';

type Closer = () => Promise<void> | void;

async function start(kind: string, params: Record<string, unknown>): Promise<{ port: number; close: Closer }> {
  switch (kind) {
    case 'http-target': {
      const target = await startHttpTarget({ host: '127.0.0.1', port: 0, responseBytes: 2 });
      return { port: target.address.port, close: () => target.close() };
    }
    case 'ws-echo': {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
      await once(wss, 'listening');
      wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
      const port = (wss.address() as { port: number }).port;
      return { port, close: () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }) };
    }
    case 'relay-echo-listener': {
      const connection = parseConnectionString(String(params['connectionString']));
      const server = createWs8RelayedServer({ server: listenUri(connection), token: tokenProvider(connection) }, (hyco) => {
        const ws = hyco as unknown as WebSocket;
        ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      });
      server.on('error', () => undefined);
      await new Promise<void>((resolve) => server.on('listening', () => resolve()));
      return { port: 0, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    }
    case 'pipe-proxy': {
      const to = params['target'] as { host: string; port: number };
      const proxy = await startDelayProxy({ target: to });
      return { port: proxy.address.port, close: () => proxy.close() };
    }
    case 'record-proxy': {
      const to = params['target'] as { host: string; port: number };
      const proxy = await startRecordProxy({ listen: { host: '127.0.0.1', port: 0 }, target: to, payload: 'sizes' });
      return { port: proxy.address.port, close: async () => void (await proxy.finish()) };
    }
    default:
      throw new Error(`unknown bench child kind ${kind}`);
  }
}

async function main(): Promise<void> {
  const kind = process.argv[2] ?? '';
  const params = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
  const { port, close } = await start(kind, params);
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true, port, pid: process.pid });
}

main().catch((error: unknown) => {
  process.send?.({ ready: false, error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
