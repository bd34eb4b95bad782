// Benchmark of the relay emulator: the same 64 B WebSocket ping-pong over a plain ws echo and
// through the emulator (relay in its own process), reported side by side as a ratio, plus how
// exactly injected leg delays are honoured. Run: `npx tsx bench/relay-emulator.ts [--seconds 5]`.
// A script, not library code: it prints and spawns its own roles (`--role echo|relay`).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { connectUri, listenUri, parseConnectionString, tokenProvider } from '../src/azure/connection-string.js';
import { createShaper } from '../src/relay/delay.js';
import { createDefaultNamespace } from '../src/relay/namespace.js';
import { startRelay, type RelayDelays } from '../src/relay/relay-server.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const index = argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (argv[index + 1] ?? fallback);
};

/** Child role: a ws 8 echo server on 127.0.0.1:0 (prints its port), or a ws 8 relay listener that echoes. */
async function runEchoRole(): Promise<void> {
  const listen = flag('listen', '');
  if (listen === '') {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    await once(server, 'listening');
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
    return;
  }
  const token = flag('token', '');
  const control = new WebSocket(listen, { headers: { ServiceBusAuthorization: token }, perMessageDeflate: false });
  control.on('message', (data) => {
    const accept = (JSON.parse(data.toString()) as { accept?: { address: string } }).accept;
    if (accept === undefined) return;
    const ws = new WebSocket(accept.address, { perMessageDeflate: false });
    ws.on('message', (payload, isBinary) => ws.send(payload, { binary: isBinary }));
    ws.on('error', () => {});
  });
  await once(control, 'open');
  process.stdout.write(`${JSON.stringify({ listening: true })}\n`);
}

/** Child role: the relay emulator with optional symmetric leg delays; prints url and connection string. */
async function runRelayRole(): Promise<void> {
  const delayMs = Number(flag('delay-ms', '0'));
  const delays: RelayDelays = delayMs > 0 ? { senderLeg: { oneWayDelayMs: delayMs }, listenerLeg: { oneWayDelayMs: delayMs } } : {};
  const relay = await startRelay({ namespace: createDefaultNamespace('bench'), delays });
  process.stdout.write(`${JSON.stringify({ connectionString: relay.connectionString('bench') })}\n`);
}

function startChild(args: string[]): { child: ChildProcess; firstLine: Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
    child.once('exit', (code) => reject(new Error(`bench child exited with ${code}`)));
  });
  return { child, firstLine };
}

interface PingPongResult {
  roundTripsPerSec: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/** One open WebSocket doing closed-loop 64 B ping-pong in measured windows. */
interface PingPonger {
  window(durationMs: number, isRecorded: boolean): Promise<void>;
  result(): PingPongResult;
  close(): void;
}

async function openPingPonger(url: string, headers: Record<string, string>): Promise<PingPonger> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  await once(ws, 'open');
  const payload = Buffer.alloc(64, 1);
  const samplesUs: number[] = [];
  let measuredMs = 0;
  return {
    async window(durationMs, isRecorded) {
      const startMs = performance.now();
      const endMs = startMs + durationMs;
      while (performance.now() < endMs) {
        const start = process.hrtime.bigint();
        const reply = once(ws, 'message');
        ws.send(payload);
        await reply;
        if (isRecorded) samplesUs.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      if (isRecorded) measuredMs += performance.now() - startMs;
    },
    result() {
      const sorted = [...samplesUs].sort((a, b) => a - b);
      return { roundTripsPerSec: sorted.length / (measuredMs / 1000), p50Us: percentile(sorted, 0.5), p90Us: percentile(sorted, 0.9), p99Us: percentile(sorted, 0.99) };
    },
    close: () => ws.close(),
  };
}

/**
 * Measures several paths in alternating 500 ms windows (A B B A ...), so that drift on a shared
 * machine hits all of them alike; a 500 ms warm-up per path is not recorded.
 */
async function interleaved(pingers: PingPonger[], seconds: number): Promise<PingPongResult[]> {
  for (const pinger of pingers) await pinger.window(500, false);
  const rounds = Math.max(1, Math.round((seconds * 1000) / 500));
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? pingers : [...pingers].reverse();
    for (const pinger of order) await pinger.window(500, true);
  }
  return pingers.map((pinger) => pinger.result());
}

async function startRelayPath(delayMs: number, children: ChildProcess[]): Promise<PingPonger> {
  const relay = startChild(['--role', 'relay', '--delay-ms', String(delayMs)]);
  children.push(relay.child);
  const connection = parseConnectionString(String((await relay.firstLine)['connectionString']));
  const token = tokenProvider(connection)();
  const listener = startChild(['--role', 'echo', '--listen', listenUri(connection), '--token', token]);
  children.push(listener.child);
  await listener.firstLine;
  return openPingPonger(connectUri(connection), { ServiceBusAuthorization: token });
}

/** In-process precision of one leg shaper: lateness of each delivery vs its due time, in µs. */
async function shaperLatenessUs(delayMs: number, samples: number): Promise<{ p50: number; p99: number; max: number; early: number }> {
  const shaper = createShaper({ oneWayDelayMs: delayMs });
  const latenessUs: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const submittedMs = performance.now();
    await new Promise<void>((resolve) =>
      shaper.submit(64, () => {
        latenessUs.push((performance.now() - submittedMs - delayMs) * 1000);
        resolve();
      }),
    );
  }
  latenessUs.sort((a, b) => a - b);
  return { p50: percentile(latenessUs, 0.5), p99: percentile(latenessUs, 0.99), max: latenessUs.at(-1) ?? 0, early: latenessUs.filter((value) => value < 0).length };
}

async function main(): Promise<void> {
  const seconds = Number(flag('seconds', '5'));
  const children: ChildProcess[] = [];
  const pingers: PingPonger[] = [];
  try {
    const echo = startChild(['--role', 'echo']);
    children.push(echo.child);
    const plainPinger = await openPingPonger(`ws://127.0.0.1:${String((await echo.firstLine)['port'])}`, {});
    const relayPinger = await startRelayPath(0, children);
    pingers.push(plainPinger, relayPinger);
    const [plain, relayed] = (await interleaved([plainPinger, relayPinger], seconds)) as [PingPongResult, PingPongResult];
    const delayed = [];
    for (const delayMs of [0.5, 2, 5]) {
      const delayedPinger = await startRelayPath(delayMs, children);
      pingers.push(delayedPinger);
      const [baseline, result] = (await interleaved([relayPinger, delayedPinger], Math.min(seconds, 3))) as [PingPongResult, PingPongResult];
      delayed.push({ delayMs, baseline, result });
    }
    const precision = [];
    for (const delayMs of [0.3, 1, 5]) precision.push({ delayMs, result: await shaperLatenessUs(delayMs, 300) });

    const row = (name: string, result: PingPongResult): string =>
      `${name.padEnd(34)} ${result.roundTripsPerSec.toFixed(0).padStart(7)} ${result.p50Us.toFixed(0).padStart(8)} ${result.p90Us.toFixed(0).padStart(8)} ${result.p99Us.toFixed(0).padStart(8)}`;
    console.log(`64 B ping-pong, 1 connection, ${seconds} s per path in alternating 500 ms windows; roles in separate processes; load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} (compare runs only on a quiet machine)`);
    console.log(`${'path'.padEnd(34)} ${'RT/s'.padStart(7)} ${'p50 µs'.padStart(8)} ${'p90 µs'.padStart(8)} ${'p99 µs'.padStart(8)}`);
    console.log(row('plain ws echo', plain));
    console.log(row('through the relay emulator', relayed));
    console.log(`ratio relay/plain: RT/s ${(relayed.roundTripsPerSec / plain.roundTripsPerSec).toFixed(2)}, p50 ${(relayed.p50Us / plain.p50Us).toFixed(2)}`);
    console.log(`emulator cost per bridged message (p50, 2 per round trip): ${((relayed.p50Us - plain.p50Us) / 2).toFixed(0)} µs`);
    console.log('\ninjected delay accuracy (both legs, one way each; expected extra RTT = 4 × delay; vs an undelayed relay in alternating windows):');
    for (const { delayMs, baseline, result } of delayed) {
      const addedUs = result.p50Us - baseline.p50Us;
      console.log(`  ${String(delayMs).padStart(4)} ms/leg: expected +${(4 * delayMs * 1000).toFixed(0)} µs, measured p50 +${addedUs.toFixed(0)} µs (error ${(addedUs - 4 * delayMs * 1000).toFixed(0)} µs), p99 ${result.p99Us.toFixed(0)} µs`);
    }
    console.log('\none shaper in-process, 300 messages one at a time: lateness vs due time');
    for (const { delayMs, result } of precision) {
      console.log(`  ${String(delayMs).padStart(4)} ms: p50 ${result.p50.toFixed(0)} µs, p99 ${result.p99.toFixed(0)} µs, max ${result.max.toFixed(0)} µs, early deliveries ${result.early}`);
    }
  } finally {
    for (const pinger of pingers) pinger.close();
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}

const role = flag('role', '');
if (role === 'echo') await runEchoRole();
else if (role === 'relay') await runRelayRole();
else await main();
