// hcbench's side of the entries: start the on-prem role (built-in target) and paths the way
// `hcbench run` does, run one workload driver for a window, and turn its metrics into a Figure.
// Also parsers for the reference tools' output (sockperf, wrk).

import type { StepMetrics } from '../../src/metrics/result.js';
import { spawnRole, type RoleHandle, type SpawnRoleOptions } from '../../src/roles/role-process.js';
import type { StartTargetResult } from '../../src/roles/role-protocol.js';
import { workloads } from '../../src/workloads/index.js';
import { systemClock, type DialAddress, type WorkloadParams } from '../../src/workloads/types.js';
import type { Figure } from './types.js';

export interface Onprem {
  role: RoleHandle;
  target: DialAddress;
}

/** Forks the on-prem role process and starts the built-in TCP request/response target in it. */
export async function startOnprem(options: SpawnRoleOptions = {}): Promise<Onprem> {
  const role = await spawnRole('onprem', options);
  try {
    const target = await role.call<StartTargetResult>('startTarget');
    return { role, target: { host: target.host, port: target.port } };
  } catch (error) {
    await role.stop();
    throw error;
  }
}

/** Runs one workload driver against `dialAddress` for `warmupMs` + `durationMs`; returns its metrics. */
export async function runWorkload(
  dialAddress: DialAddress,
  params: WorkloadParams,
  timing: { warmupMs: number; durationMs: number },
  signal: AbortSignal,
): Promise<StepMetrics> {
  const outcome = await workloads[params.kind].run({ dialAddress, params, ...timing, signal, clock: systemClock });
  return outcome.metrics;
}

/** Total errors of a step, all kinds. */
export function errorCount(metrics: StepMetrics): number {
  return Object.values(metrics.counters.errors).reduce((sum, n) => sum + (n ?? 0), 0);
}

/** Round trips per second with round-trip p50/p99 (µs) and errors as detail. */
export function roundTripFigure(metrics: StepMetrics): Figure {
  const h = metrics.histograms.roundTrip.summary;
  return { value: metrics.roundTripsPerSec, detail: { p50Us: h.p50Us, p99Us: h.p99Us, errors: errorCount(metrics) } };
}

/** The 64 B, 1-connection, closed-model ping-pong every ping-pong entry runs. */
export function pingPongParams(connections = 1, bytes = 64): WorkloadParams {
  return { kind: 'tcp-request-response', connections, roundTripsPerTransaction: 1, requestBytes: bytes, responseBytes: bytes };
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Parses `sockperf ping-pong --full-rtt` output: rate over the valid duration, p50/p99 in µs. */
export function parseSockperf(output: string): Figure {
  const text = output.replace(ANSI, '');
  const valid = /\[Valid Duration\] RunTime=([\d.]+) sec; SentMessages=(\d+); ReceivedMessages=(\d+)/.exec(text);
  const p50 = /percentile 50\.000 =\s*([\d.]+)/.exec(text);
  const p99 = /percentile 99\.000 =\s*([\d.]+)/.exec(text);
  if (valid === null || p50 === null || p99 === null) throw new Error(`unexpected sockperf output: ${text.trim().slice(-300)}`);
  const seconds = Number(valid[1]);
  return { value: Number(valid[3]) / seconds, detail: { p50Us: Number(p50[1]), p99Us: Number(p99[1]) } };
}

/** `444.00us`, `1.23ms`, `2.00s` → µs. */
function wrkDurationUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n : m[2] === 'ms' ? n * 1000 : n * 1_000_000;
}

/** Parses `wrk --latency` output: requests/s, p50/p99 in µs, socket errors and non-2xx. */
export function parseWrk(output: string): Figure {
  const rate = /Requests\/sec:\s*([\d.]+)/.exec(output);
  const p50 = /^\s*50%\s+(\S+)/m.exec(output);
  const p99 = /^\s*99%\s+(\S+)/m.exec(output);
  if (rate === null || p50 === null || p99 === null) throw new Error(`unexpected wrk output: ${output.trim().slice(-300)}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors =
    (socketErrors === null ? 0 : socketErrors.slice(1).reduce((s, n) => s + Number(n), 0)) + (non2xx === null ? 0 : Number(non2xx[1]));
  return { value: Number(rate[1]), detail: { p50Us: wrkDurationUs(p50[1] ?? ''), p99Us: wrkDurationUs(p99[1] ?? ''), errors } };
}
