// A tiny Prometheus remote-write receiver on 127.0.0.1:0 for tests: it decodes each request
// (snappy, then protobuf WriteRequest) with the libraries hcbench sends with, and keeps the
// samples. `mode` makes it misbehave: answer 500, or never answer.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';

export interface ReceivedSample {
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

export interface Receiver {
  url: string;
  samples: ReceivedSample[];
  /** Headers of every request, in order. */
  headers: IncomingMessage['headers'][];
  mode: 'ok' | 'fail' | 'hang';
  close(): Promise<void>;
}

/** Decodes one WriteRequest (only the fields remote write 1.0 defines for samples). */
export function decodeWriteRequest(bytes: Uint8Array): ReceivedSample[] {
  const out: ReceivedSample[] = [];
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    if (key >>> 3 !== 1) {
      reader.skipType(key & 7);
      continue;
    }
    const end = reader.uint32() + reader.pos;
    const labels: Record<string, string> = {};
    const samples: { value: number; timestampMs: number }[] = [];
    while (reader.pos < end) {
      const inner = reader.uint32();
      const innerEnd = reader.uint32() + reader.pos;
      if (inner >>> 3 === 1) {
        let name = '';
        let value = '';
        while (reader.pos < innerEnd) {
          const k = reader.uint32();
          if (k >>> 3 === 1) name = reader.string();
          else if (k >>> 3 === 2) value = reader.string();
          else reader.skipType(k & 7);
        }
        labels[name] = value;
      } else if (inner >>> 3 === 2) {
        const sample = { value: NaN, timestampMs: 0 };
        while (reader.pos < innerEnd) {
          const k = reader.uint32();
          if (k >>> 3 === 1) sample.value = reader.double();
          else if (k >>> 3 === 2) sample.timestampMs = Number(reader.int64());
          else reader.skipType(k & 7);
        }
        samples.push(sample);
      } else reader.pos = innerEnd;
    }
    for (const s of samples) out.push({ labels, ...s });
  }
  return out;
}

export async function startReceiver(mode: Receiver['mode'] = 'ok'): Promise<Receiver> {
  const hung: ServerResponse[] = [];
  const receiver: Receiver = { url: '', samples: [], headers: [], mode, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 10_000_000) chunks.push(chunk);
    });
    req.on('end', () => {
      receiver.headers.push(req.headers);
      if (receiver.mode === 'hang') {
        hung.push(res);
        return;
      }
      if (receiver.mode === 'fail') {
        res.writeHead(500).end('receiver says no');
        return;
      }
      receiver.samples.push(...decodeWriteRequest(snappy.uncompress(Buffer.concat(chunks), 50_000_000)));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
