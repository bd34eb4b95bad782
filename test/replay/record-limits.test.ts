// The bounds of a recording (it is held in memory until written): connections (the one past the
// bound is refused and ends the recording), turns, and the size of the trace file it would write
// (payload held for open turns counted as base64). Each bound fires `onLimit` exactly when it is
// reached, not before; the file-size estimate is never below the file written. The CLI flags
// stop a real `hcbench record` process and write the trace. Real line server, real sockets.

import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { startRecordProxy, type RecordLimits } from '../../src/record/record-proxy.js';
import { collectConversations, openTrace } from '../../src/trace/open-trace.js';
import { renderTrace } from '../../src/trace/render.js';
import { startHcbench } from '../helpers/hcbench-process.js';
import { listenForTest } from '../helpers/listen.js';

/** A line server: "<n>\n" is answered with n bytes of 'a'. */
async function lineServer(): Promise<number> {
  const server = net.createServer((s) => {
    let text = '';
    s.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n')) {
        s.write(Buffer.alloc(Number(text.slice(0, i)) || 0, 0x61));
        text = text.slice(i + 1);
      }
    });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  return listenForTest(server);
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  onTestFinished(() => void socket.destroy());
  return socket;
}

/** Sends `line` and waits for exactly `bytes` back. */
async function exchange(socket: net.Socket, line: string, bytes: number): Promise<void> {
  socket.write(line);
  let got = 0;
  while (got < bytes) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    got += chunk.length;
  }
  expect(got).toBe(bytes);
}

async function recorder(limits: Partial<RecordLimits>, payload: 'sizes' | 'full' = 'sizes') {
  const target = await lineServer();
  const reasons: string[] = [];
  const proxy = await startRecordProxy({ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: target }, payload, limits, onLimit: (r) => reasons.push(r) });
  onTestFinished(async () => void (await proxy.finish()));
  return { proxy, reasons };
}

describe('recording limits', () => {
  test('connections: the one past the bound is refused (closed unanswered) and ends the recording; those within are recorded whole', async () => {
    const { proxy, reasons } = await recorder({ connections: 2 });
    for (let i = 0; i < 2; i++) {
      const socket = await connect(proxy.address.port);
      await exchange(socket, '5\n', 5);
      socket.end();
      await once(socket, 'close');
    }
    expect(reasons).toEqual([]);
    const third = await connect(proxy.address.port);
    third.on('error', () => undefined);
    third.write('5\n');
    await once(third, 'close');
    expect(third.bytesRead).toBe(0);
    expect(reasons).toEqual(['the recording reached 2 connections']);
    expect(proxy.stats()).toMatchObject({ connectionsTotal: 2, refused: 1 });
    const trace = await proxy.finish();
    expect(trace.conversations.map((c) => [c.end, c.turns.length])).toEqual([['client-closed', 1], ['client-closed', 1]]);
  });

  test('turns: fires once the bound of finished turns is reached, not before', async () => {
    const { proxy, reasons } = await recorder({ turns: 5 });
    const socket = await connect(proxy.address.port);
    // A turn finishes when the client speaks again after an answer: after exchange k, k - 1 are finished.
    for (let k = 1; k <= 5; k++) {
      await exchange(socket, '3\n', 3);
      expect(reasons, `after exchange ${k}`).toEqual([]);
    }
    await exchange(socket, '3\n', 3);
    expect(reasons).toEqual(['the recording reached 5 turns']);
    await exchange(socket, '3\n', 3);
    expect(reasons).toHaveLength(1);
    const trace = await proxy.finish();
    expect(trace.conversations[0]?.turns).toHaveLength(7);
  });

  test('file size: payload held for an open turn counts as base64; the estimate is never below the file written', async () => {
    const { proxy, reasons } = await recorder({ fileBytes: 100_000 }, 'full');
    const socket = await connect(proxy.address.port);
    await exchange(socket, '1000\n', 1000);
    expect(reasons).toEqual([]);
    // 60,001 more held request bytes: about 81,400 as base64 with the 1,005 before and the header room, under 100,000.
    await exchange(socket, `2\n${'x'.repeat(59_998)}\n`, 2);
    expect(reasons).toEqual([]);
    // 20,000 more: past the bound while the turn is still open.
    await exchange(socket, `20000\n`, 20_000);
    expect(reasons).toEqual(['the trace would exceed 100000 bytes']);
    socket.end();
    await once(socket, 'close');
    const trace = await proxy.finish();
    const written = Buffer.byteLength(renderTrace(trace));
    expect(written).toBeLessThanOrEqual(proxy.stats().fileBytes);
    expect(proxy.stats().fileBytes - written).toBeLessThan(1024);
  });

  test('hcbench record --max-connections 1: the second connection ends the recording and the trace is written', async () => {
    const target = await lineServer();
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-record-limits-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'one.json');
    const recording = startHcbench(['record', '--listen', '127.0.0.1:0', '--target', `127.0.0.1:${target}`, '--out', out, '--json', '--max-connections', '1']);
    onTestFinished(async () => void (await recording.interrupt()));
    const { port } = await recording.firstJson<{ port: number }>();
    const first = await connect(port);
    await exchange(first, '7\n', 7);
    first.end();
    await once(first, 'close');
    const second = await connect(port);
    second.on('error', () => undefined);
    await once(second, 'close');
    const [code] = (await once(recording.child, 'exit')) as [number | null];
    expect(code, recording.stderr()).toBe(0);
    expect(recording.stderr()).toContain('record: stopping: the recording reached 1 connections');
    expect(recording.stderr()).toContain('1 refused past --max-connections');
    expect(statSync(out).isFile()).toBe(true);
    const source = await openTrace(out);
    expect(source.info).toMatchObject({ version: 2, conversations: 1 });
    expect((await collectConversations(source)).map((c) => c.turns.map((t) => [t.requestBytes, t.responseBytes]))).toEqual([[[2, 7]]]);
  });
});
