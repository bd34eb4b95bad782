// Where one transaction's time goes, per path (the decision page's waterfall): the configured
// distance of each leg, the target's service time, the time hcbench's forwarder and agent held
// messages, the relay rendezvous amortised over the transactions a pooled connection carried, the
// emulation's own lateness, and the rest (relay machinery, TCP, harness) as what is left of the
// measured mean. Means, because means add up; percentiles do not. Pure.

import type { HistogramRecord, RunResult } from '../metrics/result.js';
import type { Verdict } from './verdict.js';

/** What a segment stands for (stable names: reports colour and test by them). */
export type SegmentKind = 'distance' | 'service' | 'forwarder' | 'agent' | 'rendezvous' | 'emulation-error' | 'rest';

export interface WaterfallSegment {
  kind: SegmentKind;
  label: string;
  /** Per transaction, µs (never negative). */
  us: number;
}

/** One path's transaction, taken apart. */
export interface PathWaterfall {
  pathId: string;
  /** Mean transaction latency, merged over the variant's repetitions, µs: the sum of the segments unless `overshootUs` > 0. */
  totalUs: number;
  segments: WaterfallSegment[];
  /** The known parts exceed the measured mean by this much (noise, or whole-run averages off for this variant), µs; the rest is then 0. */
  overshootUs: number;
}

/** What the waterfall reads and how, one line for the reports. */
export const WATERFALL_METHOD =
  'waterfall of the mean transaction: configured leg round trips × k, target service time × k, forwarder and agent hold (whole-run mean of one message each way, since the chunks of a large answer overlap) × k, ' +
  'rendezvous time ÷ transactions over the run (pooling amortises it), emulation error per round trip × k; the rest is the measured mean minus these';

const LEG_LABELS: Record<string, string> = {
  direct: 'distance app ↔ site (direct)',
  appToRelay: 'distance app ↔ relay',
  relayToAgent: 'distance relay ↔ site',
};

function legRttUs(leg: unknown): number {
  if (typeof leg !== 'object' || leg === null) return 0;
  const { oneWayDelayMs, jitterMs } = leg as { oneWayDelayMs?: unknown; jitterMs?: unknown };
  return 2000 * ((typeof oneWayDelayMs === 'number' ? oneWayDelayMs : 0) + (typeof jitterMs === 'number' ? jitterMs / 2 : 0));
}

/** Mean and count of a whole-run histogram; zeros when absent. */
function statsOf(record: unknown): { meanUs: number; count: number } {
  const summary = (record as HistogramRecord | undefined)?.summary;
  return summary !== undefined && typeof summary.meanUs === 'number' && typeof summary.count === 'number' ? { meanUs: summary.meanUs, count: summary.count } : { meanUs: 0, count: 0 };
}

/** Σ of a whole-run histogram (mean × count), µs. */
const totalOf = (record: unknown): number => statsOf(record).meanUs * statsOf(record).count;

/** One message's hold each way: a large answer's chunks are held one after another while the next arrive, so only one hold per direction is on the critical path. */
const holdPerRoundTrip = (timing: Record<string, unknown>): number => statsOf(timing['toRelayHop']).meanUs + statsOf(timing['fromRelayHop']).meanUs;

function timingOf(counters: unknown): Record<string, unknown> | undefined {
  const timing = (counters as { timing?: unknown } | undefined)?.timing;
  return typeof timing === 'object' && timing !== null ? (timing as Record<string, unknown>) : undefined;
}

/** Transactions the path carried over the whole run, warm-ups included (the rendezvous counters cover them too). */
function carried(result: RunResult, pathId: string): { transactions: number } {
  let transactions = 0;
  for (const s of result.steps) {
    if (s.status === 'failed' || s.pathId !== pathId) continue;
    transactions += s.metrics.counters.transactions + (s.metrics.warmupCounters?.transactions ?? 0);
  }
  return { transactions };
}

/** The waterfall of every path of the verdict, in its order. */
export function computeWaterfalls(result: RunResult, verdict: Verdict): PathWaterfall[] {
  const k = verdict.roundTripsPerTransaction;
  const topologyPaths = Array.isArray(result.topology?.paths) ? (result.topology.paths as Record<string, unknown>[]) : [];
  const target = result.topology?.target as { serviceTimeUs?: unknown } | undefined;
  const serviceUs = typeof target?.serviceTimeUs === 'number' ? target.serviceTimeUs : 0;
  return verdict.paths.map((path) => {
    const topo = topologyPaths.find((p) => p['id'] === path.pathId) ?? {};
    const segments: WaterfallSegment[] = [];
    for (const leg of ['appToRelay', 'relayToAgent', 'direct']) {
      const us = legRttUs(topo[leg]) * k;
      if (topo[leg] !== undefined) segments.push({ kind: 'distance', label: LEG_LABELS[leg] ?? leg, us });
    }
    if (serviceUs > 0) segments.push({ kind: 'service', label: 'target service time', us: serviceUs * k });
    const counters = result.pathCounters?.[path.pathId];
    const { transactions } = carried(result, path.pathId);
    const forwarder = timingOf(counters?.['forwarder']);
    const agent = timingOf(counters?.['agent']);
    if (forwarder !== undefined) segments.push({ kind: 'forwarder', label: 'forwarder hold', us: holdPerRoundTrip(forwarder) * k });
    if (agent !== undefined) segments.push({ kind: 'agent', label: 'agent hold', us: holdPerRoundTrip(agent) * k });
    if (forwarder !== undefined && transactions > 0) {
      segments.push({ kind: 'rendezvous', label: 'rendezvous (amortised over pooled transactions)', us: totalOf(forwarder['setup']) / transactions });
    }
    const emulation = result.emulation?.[path.pathId];
    const errorUs = emulation?.calibrated?.roundTripErrorUs ?? (emulation?.measured === true ? emulation.roundTripErrorUs : undefined);
    if (errorUs !== undefined) segments.push({ kind: 'emulation-error', label: 'emulation error', us: Math.max(0, errorUs) * k });
    const known = segments.reduce((sum, s) => sum + s.us, 0);
    const rest = path.transactionMeanUs - known;
    segments.push({ kind: 'rest', label: path.kind === 'direct' ? 'TCP, target and harness' : 'relay machinery and the rest', us: Math.max(0, rest) });
    return { pathId: path.pathId, totalUs: path.transactionMeanUs, segments, overshootUs: Math.max(0, -rest) };
  });
}
