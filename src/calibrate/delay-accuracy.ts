// Accuracy of injected network delays through the real mechanisms: the direct path's delay proxy
// (src/net/delay-proxy.ts) and the relay emulator's legs (src/relay, both on src/net/delay-line.ts).
// Each delay is measured as the median round trip with it minus the median without it, through
// the same mechanism, taken in A B B A order. Opens everything on 127.0.0.1:0 and closes it.

import { WebSocket } from 'ws';
import { once } from 'node:events';
import { connectUri, listenUri, parseConnectionString, tokenProvider } from '../azure/connection-string.js';
import { startDelayProxy } from '../net/delay-proxy.js';
import { createDefaultNamespace } from '../relay/namespace.js';
import { startRelay, type RelayDelays } from '../relay/relay-server.js';
import { createWs8RelayedServer } from '../tunnel/ws8-listener.js';
import { medianOf } from './timer.js';
import { startEchoServer, tcpPingPongUs, wsPingPongUs, type EchoServer } from './ping-pong.js';
import type { DelayAccuracy, DelayMechanism } from './types.js';

/** Takes `samples` with and without the delay in A B B A halves; returns the per-leg figure. */
async function compare(
  mechanism: DelayMechanism,
  injectedMs: number,
  traversals: number,
  samples: number,
  baseline: (n: number) => Promise<number[]>,
  delayed: (n: number) => Promise<number[]>,
): Promise<DelayAccuracy> {
  const half = Math.max(1, Math.floor(samples / 2));
  const base = [...(await baseline(half))];
  const withDelay = [...(await delayed(half)), ...(await delayed(half))];
  base.push(...(await baseline(half)));
  const measuredPerLegUs = (medianOf(withDelay) - medianOf(base)) / traversals;
  const floorPerLegUs = (Math.min(...withDelay) - Math.min(...base)) / traversals;
  const errorUs = measuredPerLegUs - injectedMs * 1000;
  return {
    mechanism,
    injectedMs,
    traversalsPerRoundTrip: traversals,
    samples: withDelay.length,
    measuredPerLegUs: Math.round(measuredPerLegUs),
    errorUs: Math.round(errorUs),
    errorPercent: Math.round((Math.abs(errorUs) / (injectedMs * 1000)) * 10_000) / 100,
    floorErrorUs: Math.round(floorPerLegUs - injectedMs * 1000),
  };
}

/** Delay per leg through the direct path's delay proxy (client → proxy → echo and back: 2 traversals). */
export async function measureDirectDelay(echo: EchoServer, injectedMs: number, samples: number): Promise<DelayAccuracy> {
  const plain = await startDelayProxy({ target: echo.address });
  const leg = { oneWayDelayMs: injectedMs };
  const shaped = await startDelayProxy({ target: echo.address, toTarget: leg, toClient: leg });
  try {
    return await compare('direct-delay-proxy', injectedMs, 2, samples, (n) => tcpPingPongUs(plain.address, n), (n) => tcpPingPongUs(shaped.address, n));
  } finally {
    await shaped.close();
    await plain.close();
  }
}

interface RelayEcho {
  ws: WebSocket;
  close(): Promise<void>;
}

/** An in-process relay with `delays`, a ws 8 echo listener on it, and an open sender socket. */
async function startRelayEcho(delays: RelayDelays): Promise<RelayEcho> {
  const relay = await startRelay({ namespace: createDefaultNamespace('calibrate'), delays });
  const connection = parseConnectionString(relay.connectionString('calibrate'));
  const token = tokenProvider(connection);
  const listener = createWs8RelayedServer({ server: listenUri(connection), token }, (hyco) => {
    const socket = hyco as unknown as WebSocket;
    socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
  });
  listener.on('error', () => undefined);
  let ws: WebSocket | undefined;
  // Listener before relay: a listener must never outlive its relay.
  const close = async () => {
    ws?.terminate();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    await relay.close();
  };
  try {
    await new Promise<void>((resolve) => listener.on('listening', () => resolve()));
    ws = new WebSocket(connectUri(connection), { headers: { ServiceBusAuthorization: token() }, perMessageDeflate: false });
    ws.on('error', () => undefined);
    await once(ws, 'open');
    return { ws, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Delay per leg through the relay emulator with both legs delayed (4 traversals per round trip). */
export async function measureRelayDelay(injectedMs: number, samples: number): Promise<DelayAccuracy> {
  const leg = { oneWayDelayMs: injectedMs };
  const plain = await startRelayEcho({});
  let shaped: RelayEcho | undefined;
  try {
    shaped = await startRelayEcho({ senderLeg: leg, listenerLeg: leg });
    const delayedWs = shaped.ws;
    return await compare('relay-legs', injectedMs, 4, samples, (n) => wsPingPongUs(plain.ws, n), (n) => wsPingPongUs(delayedWs, n));
  } finally {
    await shaped?.close();
    await plain.close();
  }
}

/** Every injected delay on both mechanisms, direct first; stops before the next delay once `signal` aborts. */
export async function measureDelayAccuracy(delaysMs: readonly number[], samples: number, signal?: AbortSignal): Promise<DelayAccuracy[]> {
  const echo = await startEchoServer();
  const results: DelayAccuracy[] = [];
  try {
    for (const ms of delaysMs) {
      if (signal?.aborted === true) return results;
      results.push(await measureDirectDelay(echo, ms, samples));
    }
  } finally {
    await echo.close();
  }
  for (const ms of delaysMs) {
    if (signal?.aborted === true) return results;
    results.push(await measureRelayDelay(ms, samples));
  }
  return results;
}
