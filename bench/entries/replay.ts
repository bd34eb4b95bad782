// Entries of issue #16 (record and replay): (1) the added latency of `hcbench record`'s proxy per
// turn: a 64 B ping-pong through the record proxy (its own process) vs the same ping-pong direct,
// same run; (2) the replay generator's turns per second on one thread: a trace of 35-turn
// conversations with no think or server time, replayed closed on 16 connections, vs the synthetic
// tcp-request-response driver doing the same round trips (35 per transaction, 16 connections).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepMetrics } from '../../src/metrics/result.js';
import { renderTrace } from '../../src/trace/render.js';
import type { WorkloadParams } from '../../src/workloads/types.js';
import { spawnBenchChild } from '../lib/children.js';
import { errorCount, pingPongParams, runWorkload, startOnprem } from '../lib/measure.js';
import type { BenchEntry, Figure } from '../lib/types.js';

/** p50 of the round trip as the figure (µs), the rate and p99 as detail. */
function p50Figure(metrics: StepMetrics): Figure {
  const h = metrics.histograms.roundTrip.summary;
  return { value: h.p50Us, detail: { p99Us: h.p99Us, roundTripsPerSec: metrics.roundTripsPerSec, errors: errorCount(metrics) } };
}

export const recordProxyLatency: BenchEntry = {
  id: 'record-proxy-latency',
  title: 'hcbench record proxy: round trip p50 through it vs direct (1 connection, 64 B ping-pong); the difference is its added latency per turn',
  issue: '#16',
  unit: 'µs',
  better: 'lower',
  hcbenchLabel: 'tcp-request-response, 1 conn, 64 B ↔ 64 B, through the record proxy (own process, --payload sizes)',
  referenceLabel: 'the same ping-pong straight to the built-in target',
  requires: [],
  async setup(ctx) {
    const timing = { warmupMs: 300, durationMs: ctx.isQuick ? 1000 : 3000 };
    const onprem = await startOnprem();
    let proxy;
    try {
      proxy = await spawnBenchChild('record-proxy', { target: onprem.target });
    } catch (error) {
      await onprem.role.stop();
      throw error;
    }
    const through = { host: '127.0.0.1', port: proxy.port };
    return {
      runHcbench: async () => p50Figure(await runWorkload(through, pingPongParams(), timing, ctx.signal)),
      runReference: async () => p50Figure(await runWorkload(onprem.target, pingPongParams(), timing, ctx.signal)),
      close: async () => {
        await proxy.close();
        await onprem.role.stop();
      },
    };
  },
};

const TURNS = 35;
const CONNECTIONS = 16;

export const replayGenerator: BenchEntry = {
  id: 'replay-generator',
  title: `replay generator, one thread: turns per second (${TURNS}-turn conversations, no think or server time, ${CONNECTIONS} connections, closed)`,
  issue: '#16',
  unit: 'RT/s',
  better: 'higher',
  hcbenchLabel: `replay, target built-in, closed, ${CONNECTIONS} conversations at once, ${TURNS} × 100 B → 300 B turns`,
  referenceLabel: `tcp-request-response, closed, ${CONNECTIONS} conn, ${TURNS} round trips per transaction, perTransaction connections, 100 B → 300 B`,
  requires: [],
  async setup(ctx) {
    const timing = { warmupMs: 300, durationMs: ctx.isQuick ? 1000 : 3000 };
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-bench-replay-'));
    const trace = join(dir, 'flat.json');
    const turn = { thinkUs: 0, requestBytes: 100, serverUs: 0, responseBytes: 300, responseUs: 0 };
    writeFileSync(
      trace,
      renderTrace({
        recordedAt: new Date(0).toISOString(), payload: 'sizes', durationUs: 1000, peakConcurrency: CONNECTIONS,
        conversations: Array.from({ length: CONNECTIONS }, (_, id) => ({ id, startUs: 0, connectUs: 0, durationUs: 0, end: 'client-closed' as const, turns: Array.from({ length: TURNS }, () => ({ ...turn })) })),
      }),
    );
    const onprem = await startOnprem();
    const replayParams: WorkloadParams = { kind: 'replay', trace, target: 'built-in', connections: CONNECTIONS, load: { model: 'closed' } };
    const synthetic: WorkloadParams = { kind: 'tcp-request-response', connections: CONNECTIONS, roundTripsPerTransaction: TURNS, requestBytes: 100, responseBytes: 300, connectionMode: 'perTransaction' };
    const rate = (m: StepMetrics): Figure => ({ value: m.roundTripsPerSec, detail: { p50Us: m.histograms.roundTrip.summary.p50Us, errors: errorCount(m) } });
    return {
      runHcbench: async () => rate(await runWorkload(onprem.target, replayParams, timing, ctx.signal)),
      runReference: async () => rate(await runWorkload(onprem.target, synthetic, timing, ctx.signal)),
      close: async () => {
        await onprem.role.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
