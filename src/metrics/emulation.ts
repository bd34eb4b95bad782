// The emulation error of a run: how late the emulated network released what it held, per
// delayed traversal, read from the components that hold (delay proxy, relay bridges, agent,
// forwarder; net/lateness.ts). Stated next to the overhead so a reader knows how much of a delta
// is the harness. Pure: computed from the planned paths and the counters read at the end.

import { isNoopLink, type LinkShape } from '../net/delay-line.js';
import { decodeRecord, mergeHistograms, summarize } from './histogram.js';
import type { HistogramRecord } from './result.js';

/** Emulation error of one path over the whole run. */
export interface EmulationError {
  /** False when nothing on the path was delayed (loopback, a real relay) or nothing was read. */
  measured: boolean;
  /** Why it was not measured. */
  reason?: string;
  /** Configured round trip of the emulated distance on this path, ms (legs × 2). */
  configuredRoundTripMs: number;
  /** Delayed traversals a request/response round trip makes: direct 2, relay-emulated 4 (two legs, both ways). */
  traversalsPerRoundTrip: number;
  /** Release time − due time of each held traversal, µs (count = traversals held over the run). */
  perTraversalErrorUs?: { count: number; mean: number; p50: number; p99: number; max: number };
  /**
   * traversalsPerRoundTrip × the per-traversal mean: the lateness a round trip collects on average
   * from the emulation's holds, µs (means add up; percentiles do not).
   */
  roundTripErrorUs?: number;
  /**
   * The whole per-traversal error `hcbench calibrate` measured through the same structure (role
   * processes, holds, hand-offs into idle processes), at the calibrated delay nearest this path's
   * mean leg; present when the run was given calibration figures (`run --calibration`).
   */
  calibrated?: CalibratedEmulationError;
  /** What the figure covers (and what it cannot see). */
  scope: string;
}

/** The calibrated error that applies to one path (see {@link EmulationError.calibrated}). */
export interface CalibratedEmulationError {
  /** The calibrated one-way delay per leg it was measured at, ms. */
  injectedMs: number;
  /** Round trip with the delay minus without, per traversal, minus the delay, µs (positive = late). */
  perTraversalErrorUs: number;
  /** traversalsPerRoundTrip × perTraversalErrorUs, µs. */
  roundTripErrorUs: number;
  /** When calibrate measured it (ISO 8601). */
  measuredAt: string;
}

/** The part of `hcbench calibrate`'s figures this needs (structurally; metrics does not import calibrate). */
export interface CalibrationDelays {
  measuredAt: string;
  delays: readonly { mechanism: string; injectedMs: number; errorUs: number }[];
}

/** The path facts the figure needs (a subset of the plan's PlannedPath). */
export type EmulatedPath =
  | { id: string; kind: 'direct'; direct: LinkShape }
  | { id: string; kind: 'relay-emulated'; appToRelay: LinkShape; relayToAgent: LinkShape }
  | { id: string; kind: 'relay-azure' };

const SCOPE =
  'lateness of each delayed traversal when it was released, in the process that held it; not included: the hand-off ' +
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

/** The emulation error of `path` from its counters (as `RunResult.pathCounters[path.id]`). */
export function emulationError(path: EmulatedPath, counters: unknown): EmulationError {
  if (path.kind === 'relay-azure') {
    return { measured: false, reason: 'a real Azure Relay: no emulated distance', configuredRoundTripMs: 0, traversalsPerRoundTrip: 0, scope: SCOPE };
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

/** One line for reports, e.g. `relay-emulated: emulation error +24 µs per round trip (4 delayed traversals × mean 6 µs; …)`. */
export function describeEmulation(pathId: string, e: EmulationError): string {
  if (!e.measured || e.perTraversalErrorUs === undefined) return `${pathId}: emulation error not measured (${e.reason ?? 'unknown'})`;
  const t = e.perTraversalErrorUs;
  const release =
    `release lateness +${e.roundTripErrorUs ?? 0} µs per round trip (${e.traversalsPerRoundTrip} delayed traversals × mean ${t.mean} µs; ` +
    `per traversal p50 ${t.p50} µs, p99 ${t.p99} µs, ${t.count.toLocaleString('en-US')} traversals) on ${e.configuredRoundTripMs} ms configured`;
  const c = e.calibrated;
  return c === undefined
    ? `${pathId}: emulation error: ${release}; hand-offs into idle processes not included (not calibrated: give \`run --calibration\` the figures of \`hcbench calibrate --save\`)`
    : `${pathId}: emulation error ${c.roundTripErrorUs >= 0 ? '+' : ''}${c.roundTripErrorUs} µs per round trip (calibrated at ${c.injectedMs} ms per leg: ` +
        `${c.perTraversalErrorUs >= 0 ? '+' : ''}${c.perTraversalErrorUs} µs per traversal, ${c.measuredAt}); of it ${release}`;
}
