// Record and replay on real sockets, in process: the record proxy cuts a real client's
// connections into turns (sizes, bytes with --payload full, who closed); the built-in target
// answers timed requests in order and no earlier than their delay; and the replay driver replays
// a trace under each load model with every conversation's turns and bytes as recorded.

import net from 'node:net';
import { once } from 'node:events';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { encodeRequest, encodeTimedRequest, RequestParser } from '../../src/protocol/request-response.js';
import { startRecordProxy } from '../../src/record/record-proxy.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { collectConversations, openTrace } from '../../src/trace/open-trace.js';
import { renderTrace } from '../../src/trace/render.js';
import { workloads } from '../../src/workloads/index.js';
import { systemClock, type ReplayParams } from '../../src/workloads/types.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reads exactly `n` bytes from a socket (resolves with what came), failing after a deadline that names the shortfall. */
function readBytes(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`got ${got} of ${n} bytes within 5 s`)), 5000);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
  });
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

describe('timed requests (the replay protocol)', () => {
  test('the parser reads a timed header split anywhere and aligns delays with responses', () => {
    const stream = Buffer.concat([encodeRequest(20, 7), encodeTimedRequest(12, 3, 1500), encodeTimedRequest(40, 0, 0)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new RequestParser();
      const a = parser.push(stream.subarray(0, cut));
      const b = parser.push(stream.subarray(cut));
      if (!a.ok || !b.ok) throw new Error(`cut at ${cut}: parse failed`);
      const responses = [...a.responses, ...b.responses];
      const delays = [...a.responses.map((_, i) => a.delaysUs?.[i] ?? 0), ...b.responses.map((_, i) => b.delaysUs?.[i] ?? 0)];
      expect(responses, `cut at ${cut}`).toEqual([7, 3, 0]);
      expect(delays, `cut at ${cut}`).toEqual([0, 1500, 0]);
    }
    expect(new RequestParser().push(Buffer.from([0x80, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0]))).toEqual({ ok: false, reason: 'timed request length must be in 12..1073741824, got 4' });
  });

  test('the target answers timed requests no earlier than their delay, in order per connection', async () => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const socket = await connect(target.address.port);
    onTestFinished(() => void socket.destroy());
    // A long delay, then a short one: the short one still comes second.
    const started = performance.now();
    socket.write(Buffer.concat([encodeTimedRequest(12, 5, 20_000), encodeTimedRequest(16, 3, 100)]));
    const first = await readBytes(socket, 5);
    const firstMs = performance.now() - started;
    expect(first.length).toBeLessThanOrEqual(8);
    if (first.length < 8) await readBytes(socket, 8 - first.length);
    expect(firstMs).toBeGreaterThanOrEqual(20);
    expect(target.stats().requests).toBe(2);
    expect(target.stats().bytesSent).toBe(8);
  });
});

describe('record proxy', () => {
  test('cuts each connection into turns with the sizes the client and server exchanged; full payload keeps the bytes', async () => {
    // A real line server: "<n>\n" is answered with n bytes; a greeting first.
    const server = net.createServer((s) => {
      s.write('HELLO\n');
      let text = '';
      s.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n')) {
          s.write(Buffer.alloc(Number(text.slice(0, i)), 0x61));
          text = text.slice(i + 1);
        }
      });
      s.on('end', () => s.end());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onTestFinished(() => void server.close());
    const proxy = await startRecordProxy({ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, payload: 'full' });
    const sizes = [[10, 200], [300, 5], [12, 7000]];
    const clients = await Promise.all([0, 1].map(async () => {
      const socket = await connect(proxy.address.port);
      await readBytes(socket, 6);
      for (const [, response] of sizes) {
        const line = `${response}\n`;
        socket.write(line);
        await readBytes(socket, response ?? 0);
      }
      socket.write('bye-no-answer');
      socket.end();
      await once(socket, 'close');
    }));
    expect(clients.length).toBe(2);
    expect(proxy.stats().peakConcurrency).toBe(2);
    const trace = await proxy.finish();
    expect(trace.conversations.length).toBe(2);
    for (const c of trace.conversations) {
      expect(c.end).toBe('client-closed');
      // Greeting (no client bytes), three requests, the unanswered goodbye.
      expect(c.turns.map((t) => [t.requestBytes, t.responseBytes])).toEqual([[0, 6], [4, 200], [2, 5], [5, 7000], [13, 0]]);
      expect(Buffer.from(c.turns[1]?.request ?? '', 'base64').toString()).toBe('200\n');
      expect(Buffer.from(c.turns[4]?.request ?? '', 'base64').toString()).toBe('bye-no-answer');
      expect(Buffer.from(c.turns[3]?.response ?? '', 'base64').length).toBe(7000);
    }
    expect(proxy.stats().bytesFromClient).toBe(2 * (4 + 2 + 5 + 13));
  });
});

describe('replay driver against the built-in target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcbench-replay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const turn = (thinkUs: number, requestBytes: number, serverUs: number, responseBytes: number) => ({ thinkUs, requestBytes, serverUs, responseBytes, responseUs: 0 });
  const file = join(dir, 't.json');
  writeFileSync(
    file,
    renderTrace({
      recordedAt: '2025-01-01T00:00:00Z', payload: 'sizes', durationUs: 50_000, peakConcurrency: 2,
      conversations: [
        { id: 0, startUs: 0, connectUs: 0, durationUs: 3000, end: 'client-closed', turns: [turn(0, 8, 0, 1), turn(200, 100, 300, 400), turn(50, 5, 0, 0)] },
        { id: 1, startUs: 10_000, connectUs: 0, durationUs: 3000, end: 'client-closed', turns: [turn(0, 50, 100, 2000), turn(0, 60, 100, 10), turn(0, 70, 100, 20), turn(0, 80, 100, 30)] },
        { id: 2, startUs: 20_000, connectUs: 0, durationUs: 0, end: 'error', turns: [] },
      ],
    }),
  );

  test.each([
    ['as-recorded', { model: 'as-recorded' }],
    ['closed', { model: 'closed' }],
    ['open', { model: 'open', ratePerSec: 100 }],
  ] as const)('%s: every conversation replays with its turns and bytes; the fit points cover every conversation', async (_name, load) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const conversations = await collectConversations(await openTrace(file));
    const params: ReplayParams = { kind: 'replay', trace: file, target: 'built-in', connections: 2, load: load as ReplayParams['load'] };
    const outcome = await workloads.replay.run({ dialAddress: target.address, params, warmupMs: 0, durationMs: 400, signal: new AbortController().signal, clock: systemClock });
    const replay = outcome.metrics.replay;
    if (replay === undefined) throw new Error('no replay section');
    expect(replay.conversationsInTrace).toBe(2);
    expect(replay.conversations).toBeGreaterThan(0);
    for (const c of replay.listed) {
      const recorded = conversations.find((r) => r.id === c.id);
      expect(c.turns).toBe(recorded?.turns.length);
      expect(c.roundTrips).toBe(recorded?.turns.filter((t) => t.responseBytes > 0).length);
      expect(c.requestBytes).toBe(recorded?.turns.reduce((n, t) => n + t.requestBytes, 0));
      expect(c.responseBytes).toBe(recorded?.turns.reduce((n, t) => n + t.responseBytes, 0));
    }
    // Padding: 8 and 5 bytes -> 12 each in conversation 0.
    const zeros = replay.listed.filter((c) => c.id === 0).length;
    expect(replay.paddedTurns).toBe(2 * zeros);
    expect(replay.paddedBytes).toBe((4 + 7) * zeros);
    expect(replay.requestBytesSent).toBe(replay.requestBytesRecorded + replay.paddedBytes);
    expect(replay.byRoundTrips.map((p) => p.roundTrips).filter((k) => k !== 2 && k !== 4)).toEqual([]);
    expect(replay.byRoundTrips.reduce((n, p) => n + p.count, 0)).toBe(replay.conversations);
    const { counters } = outcome.metrics;
    expect(counters.errors).toEqual({});
    expect(counters.transactions).toBe(replay.conversations);
    expect(counters.roundTrips).toBe(replay.listed.reduce((n, c) => n + c.roundTrips, 0));
    // The target saw every turn of every replayed conversation (warm-up is 0, and none was cut).
    expect(target.stats().requests).toBe(replay.turns);
    expect(outcome.metrics.timing?.latencyFrom).toBe(load.model === 'closed' ? 'dispatch' : 'intended');
  });
});

describe('hcbench record (CLI)', () => {
  test('--payload full warns; --run-ms ends it and writes a valid trace; a taken port is a usage error', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-record-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'sub', 'empty.json');
    const run = await runCli(['record', '--listen', '127.0.0.1:0', '--target', '127.0.0.1:9', '--out', out, '--payload', 'full', '--run-ms', '50']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning: --payload full stores every byte');
    const trace = await openTrace(out);
    expect(trace.info.version).toBe(2);
    expect(trace.info.payload).toBe('full');
    expect(await collectConversations(trace)).toEqual([]);
    const taken = net.createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    onTestFinished(() => void taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    const busy = await runCli(['record', '--listen', `127.0.0.1:${port}`, '--target', '127.0.0.1:9', '--out', out, '--run-ms', '50']);
    expect(busy.exitCode).toBe(2);
    expect(busy.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });
});
