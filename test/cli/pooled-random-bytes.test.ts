import crypto from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { poolRandomBytes } from '../../src/cli/pooled-random-bytes.js';

const require = createRequire(import.meta.url);
/** hyco-ws's own bundled ws 1.1.5 sender, resolved the way hyco-ws resolves it. */
const HycoSender = createRequire(require.resolve('hyco-ws'))('ws/lib/Sender.js') as new (socket: net.Socket) => {
  send(data: Buffer, options: { binary: boolean; mask: boolean }, cb?: (error?: Error) => void): void;
};

const undo: (() => void)[] = [];
afterEach(() => {
  for (const fn of undo.splice(0).reverse()) fn();
});

/** Records a copy of every buffer `crypto.randomFillSync` fills until the test ends. */
function recordFills(): Buffer[] {
  const fills: Buffer[] = [];
  const original = crypto.randomFillSync;
  crypto.randomFillSync = ((buffer: Buffer) => {
    const result = original(buffer);
    fills.push(Buffer.from(buffer));
    return result;
  }) as typeof crypto.randomFillSync;
  undo.push(() => (crypto.randomFillSync = original));
  return fills;
}

describe('pooled crypto.randomBytes for hyco-ws (one CSPRNG draw per 8 KiB, not per frame)', () => {
  test("hyco-ws's frame masks come from the pool, and the frame still unmasks to its payload", async () => {
    const fills = recordFills();
    undo.push(poolRandomBytes());
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    undo.push(() => server.close());
    const accepted = once(server, 'connection');
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    undo.push(() => client.destroy());
    const [peer] = (await accepted) as [net.Socket];
    undo.push(() => peer.destroy());
    const payload = Buffer.from('ping 64 bytes of a relayed request-response exchange, give or take.');
    const chunks: Buffer[] = [];
    const frameLength = 2 + 4 + payload.length;
    const received = new Promise<Buffer>((resolve) => {
      peer.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        if (all.length >= frameLength) resolve(all);
      });
    });
    new HycoSender(client).send(payload, { binary: true, mask: true });
    const frame = await received;
    expect(frame[1]).toBe(0x80 | payload.length);
    const mask = frame.subarray(2, 6);
    // The first pooled draw refilled the pool once; the key is its first four bytes.
    expect(fills).toHaveLength(1);
    expect(mask).toEqual(fills[0]?.subarray(0, 4));
    const unmasked = Buffer.from(frame.subarray(6, frameLength).map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
    expect(unmasked).toEqual(payload);
  });

  test('every caller gets its own bytes: distinct draws across refills, no aliasing, served bytes zeroed', () => {
    const fills = recordFills();
    undo.push(poolRandomBytes());
    // 2,000 draws of 8 bytes: 16,000 bytes, two refills of the 8 KiB pool.
    const draws = Array.from({ length: 2000 }, () => crypto.randomBytes(8));
    expect(fills).toHaveLength(2);
    expect(draws.every((d) => Buffer.isBuffer(d) && d.length === 8)).toBe(true);
    // 64-bit draws: a repeat among 2,000 has probability ~1e-13 unless bytes are served twice.
    expect(new Set(draws.map((d) => d.toString('hex'))).size).toBe(2000);
    expect(draws[0]).toEqual(fills[0]?.subarray(0, 8));
    expect(draws[1024]).toEqual(fills[1]?.subarray(0, 8));
    const second = Buffer.from(draws[1] ?? []);
    draws[0]?.fill(0xff);
    expect(draws[1]).toEqual(second);
  });

  test("callbacks and large requests go to Node's own function; undo restores it; a second install changes nothing", async () => {
    const original = crypto.randomBytes;
    const fills = recordFills();
    const uninstall = poolRandomBytes();
    const pooled = crypto.randomBytes;
    expect(pooled).not.toBe(original);
    const again = poolRandomBytes();
    expect(crypto.randomBytes).toBe(pooled);
    again();
    expect(crypto.randomBytes).toBe(pooled);
    expect(crypto.randomBytes(300)).toHaveLength(300);
    const viaCallback = await new Promise<Buffer>((resolve, reject) => crypto.randomBytes(16, (error, bytes) => (error === null ? resolve(bytes) : reject(error))));
    expect(viaCallback).toHaveLength(16);
    expect(fills).toHaveLength(0);
    uninstall();
    expect(crypto.randomBytes).toBe(original);
  });
});
