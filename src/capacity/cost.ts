// Relay usage of a run (listener-hours, GB through the relay) and its cost at prices the caller
// supplies. Pure; no price is hard-coded: without prices only the usage is reported.

import type { RunResult } from '../metrics/result.js';

/** Prices, in any one currency. Absent: no cost, usage only. */
export interface RelayPrices {
  /** Per listener (agent) hour. */
  perListenerHour?: number;
  /** Per GB (1e9 bytes) relayed. */
  perGb?: number;
}

export interface RelayUsage {
  /** Agents × time relay steps ran (warm-up included), hours. */
  listenerHours: number;
  /** Payload bytes both ways on relay paths, warm-up included, GB (1e9 bytes). */
  gigabytes: number;
  /** Cost at the given prices, or null when a price is missing. */
  cost: number | null;
  /** One line: `0.0021 listener-hours, 0.0004 GB (no prices given)`. */
  summary: string;
}

/** Estimates relay usage from a run: listeners from the topology, time from the steps, bytes from the counters. */
export function estimateRelayUsage(result: RunResult, prices: RelayPrices = {}): RelayUsage {
  const agentsOf = new Map<string, number>();
  for (const path of (result.topology?.paths ?? []) as { id?: string; kind?: string; agents?: number }[]) {
    if (path.id !== undefined && path.kind !== 'direct') agentsOf.set(path.id, path.agents ?? 1);
  }
  let listenerMs = 0;
  let bytes = 0;
  for (const step of result.steps) {
    if (step.pathKind === 'direct' || step.status === 'failed') continue;
    const m = step.metrics;
    listenerMs += (agentsOf.get(step.pathId) ?? 1) * (m.durationMs + m.warmupMs);
    for (const c of [m.counters, m.warmupCounters]) bytes += (c?.bytesSent ?? 0) + (c?.bytesReceived ?? 0);
  }
  const listenerHours = listenerMs / 3_600_000;
  const gigabytes = bytes / 1e9;
  const cost =
    prices.perListenerHour === undefined || prices.perGb === undefined ? null : listenerHours * prices.perListenerHour + gigabytes * prices.perGb;
  const summary = `${listenerHours.toPrecision(3)} listener-hours, ${gigabytes.toPrecision(3)} GB relayed${cost === null ? ' (no prices given)' : `, cost ${cost.toPrecision(3)}`}`;
  return { listenerHours, gigabytes, cost, summary };
}
