// Synthetic shard results for the merge entry: `count` shards of one 5-minute run (two steps of
// 150 s, direct and relay-emulated, 1 s interval histograms), each a full RunResult as
// `hcbench run --shard I/N` writes it, with seeded log-normal latencies at a realistic rate
// (RATE_PER_SHARD round trips per second per shard), so histograms have realistic bucket counts.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import hdr from 'hdr-histogram-js';
import { createRandom, type Random } from '../../src/random.js';
import { createLatencyHistogram, recordUs, toRecord } from '../../src/metrics/histogram.js';
import type { RunResult, StepMetrics, StepResult } from '../../src/metrics/result.js';

const TEMPLATE = new URL('../../ci/baselines/ci-smoke.json', import.meta.url);
/** Measured window of each step, s (two steps: a 5-minute run). */
const STEP_SECONDS = 150;
/** Round trips per second per shard and step. */
const RATE_PER_SHARD = 400;

/** A log-normal latency in µs around `medianUs` (sigma 0.35), from two uniform draws. */
function latencyUs(random: Random, medianUs: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return medianUs * Math.exp(0.35 * normal);
}

function syntheticMetrics(random: Random, template: StepMetrics, medianUs: number): StepMetrics {
  const roundTrip = createLatencyHistogram();
  const transaction = createLatencyHistogram();
  const intervals: StepMetrics['intervals'] = [];
  const interval = createLatencyHistogram();
  for (let second = 0; second < STEP_SECONDS; second++) {
    interval.reset();
    for (let i = 0; i < RATE_PER_SHARD; i++) {
      const us = latencyUs(random, medianUs);
      recordUs(roundTrip, us);
      recordUs(interval, us);
      if (i % 5 === 4) recordUs(transaction, us * 5);
    }
    intervals.push({ startMs: second * 1000, durationMs: 1000, roundTrip: hdr.encodeIntoCompressedBase64(interval) });
  }
  interval.destroy();
  const count = STEP_SECONDS * RATE_PER_SHARD;
  const metrics: StepMetrics = {
    ...template,
    durationMs: STEP_SECONDS * 1000,
    windowStartMs: 2000,
    counters: { ...template.counters, transactions: count / 5, roundTrips: count, bytesSent: count * 128, bytesReceived: count * 512, errors: {} },
    transactionsPerSec: count / 5 / STEP_SECONDS,
    roundTripsPerSec: RATE_PER_SHARD,
    histograms: { ...template.histograms, roundTrip: toRecord(roundTrip), transaction: toRecord(transaction) },
    intervals,
  };
  roundTrip.destroy();
  transaction.destroy();
  return metrics;
}

/** Writes `count` shard results into `dir`; returns their paths and the size of one, bytes. */
export function writeShardResults(dir: string, count: number, seed: number): { files: string[]; bytesPerResult: number } {
  const template = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as RunResult;
  const steps = template.steps.slice(0, 2) as Extract<StepResult, { status: 'completed' }>[];
  const files: string[] = [];
  let bytesPerResult = 0;
  for (let index = 1; index <= count; index++) {
    const random = createRandom(seed + index);
    const result: RunResult = {
      ...template,
      steps: steps.map((step, i) => ({ ...step, metrics: syntheticMetrics(random, step.metrics, i === 0 ? 10_000 : 11_500) })),
      shard: {
        index,
        count,
        fingerprint: 'b'.repeat(64),
        startAt: '2026-01-01T00:00:02.000Z',
        runStartEpochMs: Date.parse('2026-01-01T00:00:00.000Z'),
        clock: { reference: 'host bench', method: 'same-host', offsetMs: 0, uncertaintyMs: 0, exchanges: 0 },
        wholeWorkloads: steps.map((s) => ({ ...(s.workload ?? {}) })),
      },
    };
    const text = JSON.stringify(result);
    bytesPerResult = Math.max(bytesPerResult, Buffer.byteLength(text));
    const file = join(dir, `shard-${index}.json`);
    writeFileSync(file, text);
    files.push(file);
  }
  return { files, bytesPerResult };
}
