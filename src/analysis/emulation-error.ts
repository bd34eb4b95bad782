// Computes the emulation error of a run (metrics/emulation.ts) from the planned paths and the
// counters read at the end, and adds the whole error `hcbench calibrate` measured. Pure.

import { isNoopLink, type LinkShape } from '../net/delay-line.js';
import type { CalibratedEmulationError, EmulationError } from '../metrics/emulation.js';
import { decodeRecord, mergeHistograms, summarize, toRecord } from '../metrics/histogram.js';
import type { HistogramRecord } from '../metrics/result.js';

/** The part of `hcbench calibrate`'s figures (metrics/calibration-result.ts) this needs; any CalibrationResult fits. */
export interface CalibrationDelays {
  measuredAt: string;
  delays: readonly { mechanism: string; injectedMs: number; errorUs: number }[];
}

/** The path facts the figure needs (a subset of the plan's PlannedPath). */
export type EmulatedPath =
  | { id: string; kind: 'direct'; direct: LinkShape }
  | { id: string; kind: 'relay-emulated'; appToRelay: LinkShape; relayToAgent: LinkShape }
  | { id: string; kind: 'relay-azure'; /** A rehearsal against the emulator answering as this host. */ rehearsal?: string };

const SCOPE =
  'lateness of each delayed traversal when it was released, in the process that held it (from its due time, or from ' +
  'the end of the delivery before it when the hold was still delivering: a bulk transfer\'s own work is not lateness); not included: the hand-off ' +
  'into a process that sat idle during the delay, which can be several times larger and differs between paths ' +
  '(`calibrated`, from `hcbench calibrate --save` given to `run --calibration`, measures the whole error)';

const ms = (shape: LinkShape): number => shape.oneWayDelayMs ?? 0;

function isRecord(value: unknown): value is HistogramRecord {
  return typeof value === 'object' && value !== null && typeof (value as { encoded?: unknown }).encoded === 'string';
}

/** Every `releaseLateness` record in a path's counters (any depth: relay, each agent, forwarder, delay shim). */
export function latenessRecords(counters: unknown, depth = 0): HistogramRecord[] {
  if (depth > 4 || typeof counters !== 'object' || counters === null) return [];
  const out: HistogramRecord[] = [];
  for (const [key, value] of Object.entries(counters as Record<string, unknown>)) {
    if (key === 'agent') continue; // a sum of the per-agent entries, which are read themselves
    if (key === 'releaseLateness' && isRecord(value)) out.push(value);
    else if (!isRecord(value)) out.push(...latenessRecords(value, depth + 1));
  }
  return out;
}

/**
 * The release lateness counted between two reads of a path's counters, as counters with one
 * `releaseLateness` record (`after`'s records merged, minus `before`'s): what a measurement counted
 * without what a warm-up before it did. Undefined when `after` has no record.
 */
export function latenessSince(after: unknown, before: unknown): { releaseLateness: HistogramRecord } | undefined {
  const now = latenessRecords(after);
  if (now.length === 0) return undefined;
  const merged = mergeHistograms(now.map(decodeRecord));
  const earlier = latenessRecords(before);
  if (earlier.length > 0) merged.subtract(mergeHistograms(earlier.map(decodeRecord)));
  return { releaseLateness: toRecord(merged) };
}

/** The emulation error of `path` from its counters (as `RunResult.pathCounters[path.id]`). */
export function emulationError(path: EmulatedPath, counters: unknown): EmulationError {
  if (path.kind === 'relay-azure') {
    const reason = path.rehearsal === undefined ? 'a real Azure Relay: no emulated distance' : `a rehearsal (the emulator as ${path.rehearsal}, not Azure): no emulated distance`;
    return { measured: false, reason, configuredRoundTripMs: 0, traversalsPerRoundTrip: 0, scope: SCOPE };
  }
  const isDirect = path.kind === 'direct';
  const legs = isDirect ? [path.direct] : [path.appToRelay, path.relayToAgent];
  const configuredRoundTripMs = 2 * legs.reduce((sum, leg) => sum + ms(leg), 0);
  const traversalsPerRoundTrip = 2 * legs.length;
  if (legs.every((leg) => isNoopLink(leg))) {
    return { measured: false, reason: 'no emulated distance on this path (nothing held, nothing late)', configuredRoundTripMs, traversalsPerRoundTrip: 0, scope: SCOPE };
  }
  const records = latenessRecords(counters);
  if (records.length === 0) {
    return { measured: false, reason: 'no held traversal was counted (counters not read, or no traffic)', configuredRoundTripMs, traversalsPerRoundTrip, scope: SCOPE };
  }
  const merged = mergeHistograms(records.map(decodeRecord));
  const s = summarize(merged);
  return {
    measured: true,
    configuredRoundTripMs,
    traversalsPerRoundTrip,
    perTraversalErrorUs: { count: s.count, mean: s.meanUs, p50: s.p50Us, p99: s.p99Us, max: s.maxUs },
    roundTripErrorUs: Math.round(traversalsPerRoundTrip * s.meanUs),
    scope: SCOPE,
  };
}

/**
 * Adds to every measured path the whole per-traversal error calibrate measured through the same
 * mechanism (direct delay proxy or relay legs) at the calibrated delay nearest the path's mean leg.
 */
export function withCalibration(emulation: Record<string, EmulationError>, calibration: CalibrationDelays): Record<string, EmulationError> {
  return Object.fromEntries(
    Object.entries(emulation).map(([pathId, e]) => {
      if (!e.measured || e.traversalsPerRoundTrip === 0) return [pathId, e];
      const mechanism = e.traversalsPerRoundTrip === 2 ? 'direct-delay-proxy' : 'relay-legs';
      const meanLegMs = e.configuredRoundTripMs / e.traversalsPerRoundTrip;
      const nearest = calibration.delays
        .filter((d) => d.mechanism === mechanism)
        .reduce<CalibrationDelays['delays'][number] | undefined>((best, d) => (best === undefined || Math.abs(d.injectedMs - meanLegMs) < Math.abs(best.injectedMs - meanLegMs) ? d : best), undefined);
      if (nearest === undefined) return [pathId, e];
      const calibrated: CalibratedEmulationError = {
        injectedMs: nearest.injectedMs,
        perTraversalErrorUs: nearest.errorUs,
        roundTripErrorUs: e.traversalsPerRoundTrip * nearest.errorUs,
        measuredAt: calibration.measuredAt,
      };
      return [pathId, { ...e, calibrated }];
    }),
  );
}
