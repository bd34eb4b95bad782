// The benchmark suite's entries, in the order they run. Each names the issue whose "Done when"
// it proves; an entry whose feature has not landed is listed with a pending reason.

import type { BenchEntry } from './lib/types.js';
import { directPingPong } from './entries/direct-ping-pong.js';
import { relayPingPong } from './entries/relay-ping-pong.js';
import { relayBulk } from './entries/relay-bulk.js';
import { setupTruth } from './entries/setup-truth.js';
import { forwarderProcess } from './entries/forwarder-process.js';
import { connectionSetup } from './entries/connection-setup.js';
import { relayEmulatorWs } from './entries/relay-emulator-ws.js';
import { relayEmulatorScript } from './entries/relay-emulator-script.js';
import { httpEntry } from './entries/http.js';
import { generatorCapacity } from './entries/generator-capacity.js';
import { scale } from './entries/scale.js';
import { truth } from './entries/truth.js';
import { soakEntry } from './entries/soak.js';
import { recordProxyLatency, replayGenerator } from './entries/replay.js';
import { shardMerge } from './entries/shard-merge.js';
import { traceStream } from './entries/trace-stream.js';

/** Every entry of `npm run bench`. */
export const suite: readonly BenchEntry[] = [directPingPong, relayPingPong, relayBulk, forwarderProcess, httpEntry, connectionSetup, setupTruth, relayEmulatorWs, relayEmulatorScript, generatorCapacity, recordProxyLatency, replayGenerator, traceStream, shardMerge, scale, truth, soakEntry];
