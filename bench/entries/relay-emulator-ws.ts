// Entry 6 (#4): the relay emulator's cost per bridged message. A ws 8 client ping-pongs 64 B
// binary messages through the emulator (cloud process) to a ws 8 Hybrid Connections listener that
// echoes (helper process), against the same client on a plain ws 8 echo server (helper process).
// The ratio is what one emulator hop (sender leg → bridge → listener leg) costs a WebSocket message.

import { connectUri, parseConnectionString, tokenProvider } from '../../src/azure/connection-string.js';
import { spawnRole } from '../../src/roles/role-process.js';
import type { StartRelayResult } from '../../src/roles/role-protocol.js';
import { spawnBenchChild, type BenchChild } from '../lib/children.js';
import { runWsPingPong } from '../lib/ws-ping-pong.js';
import type { BenchEntry } from '../lib/types.js';

export const relayEmulatorWs: BenchEntry = {
  id: 'relay-emulator-ws',
  title: 'relay emulator cost per bridged message: ws ping-pong through the emulator vs a plain ws echo',
  issue: '#4',
  unit: 'RT/s',
  better: 'higher',
  hcbenchLabel: 'ws 8 sender → relay emulator (cloud process) → ws 8 listener echo (helper process), 64 B binary',
  referenceLabel: 'ws 8 client → plain ws 8 echo server (helper process), 64 B binary',
  requires: [],
  async setup(ctx) {
    const timing = { warmupMs: 300, durationMs: ctx.isQuick ? 1000 : 3000 };
    const cloud = await spawnRole('cloud');
    let listener: BenchChild | undefined;
    let echo: BenchChild | undefined;
    // Listener before relay on the way down: a hyco-style listener must never outlive its relay.
    const close = async () => {
      await echo?.close();
      await listener?.close();
      await cloud.stop();
    };
    try {
      const relay = await cloud.call<StartRelayResult>('startRelay', { hybridConnectionName: 'bench-echo' });
      listener = await spawnBenchChild('relay-echo-listener', { connectionString: relay.connectionString });
      echo = await spawnBenchChild('ws-echo');
      const connection = parseConnectionString(relay.connectionString);
      const token = tokenProvider(connection);
      const echoPort = echo.port;
      return {
        runHcbench: () =>
          runWsPingPong({ url: connectUri(connection), headers: { ServiceBusAuthorization: token() }, payloadBytes: 64, ...timing }),
        runReference: () => runWsPingPong({ url: `ws://127.0.0.1:${echoPort}/`, payloadBytes: 64, ...timing }),
        close,
      };
    } catch (error) {
      await close();
      throw error;
    }
  },
};
