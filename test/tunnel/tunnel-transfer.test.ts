// Bulk transfers through forwarder + relay emulator + agent: byte-identical both ways, and a slow
// reader makes every hop pause instead of buffering (bytes in flight stay bounded).

import type { Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { type StreamProgress, connectClient, hashFrom, startTestServer, streamTo } from '../helpers/tunnel-targets.js';

const MiB = 1024 * 1024;
/**
 * Upper bound for bytes written but not yet read while the reader is stalled. Each of the four
 * loopback TCP legs may hold up to ~10 MiB of kernel buffers (tcp_wmem 4 MiB + tcp_rmem 6 MiB) plus
 * 1 MiB per pump/bridge high-water mark (about 24 MiB were observed); unbounded buffering would
 * instead let the writer run to the end of the 100 MiB.
 */
const MAX_IN_FLIGHT_BYTES = 64 * MiB;

/** Waits until the writer made no progress for 500 ms (everything between is full), bounded in time. */
async function waitForStall(writer: StreamProgress, totalBytes: number): Promise<void> {
  let last = -1;
  let stillSamples = 0;
  for (let i = 0; i < 300 && stillSamples < 5 && writer.bytes < totalBytes; i += 1) {
    stillSamples = writer.bytes === last ? stillSamples + 1 : 0;
    last = writer.bytes;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each([1 * MiB, 100 * MiB])('transfer of %i bytes', (totalBytes) => {
  test('client -> target arrives byte-identical; a stalled target pauses the pumps', async () => {
    let sink: StreamProgress | undefined;
    let targetSocket: Socket | undefined;
    const target = await startTestServer((socket) => {
      targetSocket = socket;
      sink = hashFrom(socket);
      socket.pause();
    });
    const path = await startTunnelRelay();
    const agent = await path.agent(target.address);
    const forwarder = await path.forwarder();
    const client = await connectClient(forwarder.address.port, true);

    const source = streamTo(client, totalBytes, 11);
    await expect.poll(() => targetSocket !== undefined).toBe(true);
    if (totalBytes > MAX_IN_FLIGHT_BYTES) {
      // The agent cannot write to the stalled target: it must pause its WebSocket (and the forwarder its TCP socket).
      await expect.poll(() => agent.stats().relayReadPauses, { timeout: 60_000 }).toBeGreaterThan(0);
      await expect.poll(() => forwarder.stats().tcpReadPauses, { timeout: 60_000 }).toBeGreaterThan(0);
    }
    await waitForStall(source, totalBytes);
    const inFlight = source.bytes - (sink?.bytes ?? 0);
    targetSocket?.resume();
    const [sent, received] = await Promise.all([source.done, (sink as StreamProgress).done]);

    expect(received).toEqual(sent);
    expect(received.bytes).toBe(totalBytes);
    expect(inFlight).toBeLessThanOrEqual(Math.min(totalBytes, MAX_IN_FLIGHT_BYTES));
  }, 120_000);

  test('target -> client arrives byte-identical; a stalled client pauses the pumps', async () => {
    let source: StreamProgress | undefined;
    const target = await startTestServer((socket) => {
      source = streamTo(socket, totalBytes, 23);
    });
    const path = await startTunnelRelay();
    const agent = await path.agent(target.address);
    const forwarder = await path.forwarder();
    const client = await connectClient(forwarder.address.port, true);

    const sink = hashFrom(client);
    client.pause();
    await expect.poll(() => source !== undefined).toBe(true);
    const writer = source as StreamProgress;
    if (totalBytes > MAX_IN_FLIGHT_BYTES) {
      // The forwarder cannot write to the stalled client: it must pause its WebSocket (and the agent its TCP socket).
      await expect.poll(() => forwarder.stats().relayReadPauses, { timeout: 60_000 }).toBeGreaterThan(0);
      await expect.poll(() => agent.stats().tcpReadPauses, { timeout: 60_000 }).toBeGreaterThan(0);
    }
    await waitForStall(writer, totalBytes);
    const inFlight = writer.bytes - sink.bytes;
    client.resume();
    const [sent, received] = await Promise.all([writer.done, sink.done]);

    expect(received).toEqual(sent);
    expect(received.bytes).toBe(totalBytes);
    expect(inFlight).toBeLessThanOrEqual(Math.min(totalBytes, MAX_IN_FLIGHT_BYTES));
  }, 120_000);
});
