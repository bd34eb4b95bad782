// Whether the emulated network adds exactly the configured distance, measured through the very
// processes and mechanisms a run uses: an on-prem role process (built-in target, delay proxy,
// agents), cloud role processes (relay emulator), the forwarder, and the tcp-request-response
// driver. For one profile it opens four paths — direct and relay at zero distance (the machinery)
// and direct and relay at the same configured round trip (the direct path's one-way delay is
// appToRelay + relayToAgent) — and runs them in alternating order over the rounds, after one
// unrecorded warm-up round. Shared by
// `hcbench calibrate` and the bench's `truth` entry, so both measure one structure.

import { decodeRecord, interpolatedPercentileUs, mergeHistograms, summarize } from '../metrics/histogram.js';
import { emulationError, latenessSince } from '../analysis/emulation-error.js';
import type { EmulationError } from '../metrics/emulation.js';
import type { HistogramRecord } from '../metrics/result.js';
import { openDirectPath } from '../paths/direct.js';
import { openEmulatedRelayPath } from '../paths/relay.js';
import type { OpenPath } from '../paths/types.js';
import { spawnRole, type RoleHandle } from '../roles/role-process.js';
import type { StartTargetResult } from '../roles/role-protocol.js';
import type { LegProfile } from '../scenario/network-profiles.js';
import { workloads } from '../workloads/index.js';
import { systemClock, type WorkloadParams } from '../workloads/types.js';

/** Distances of one comparison, ms one way. */
export interface TruthLegs {
  appToRelayMs: number;
  relayToAgentMs: number;
  /** The direct path's one-way delay, ms; default appToRelayMs + relayToAgentMs (equal configured round trip). */
  directMs?: number;
}

export interface TruthOptions {
  /** Measured window per path with distance and round, ms. */
  windowMs: number;
  /** Measured window per zero-distance path and round, ms; default `windowMs`. */
  loopbackWindowMs?: number;
  /** Unrecorded warm-up per window, ms. */
  warmupMs: number;
  /** Rounds; paths alternate order each round so drift hits all. */
  rounds: number;
  /** Round trips per transaction (the issue measured 5). */
  roundTripsPerTransaction?: number;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /**
   * Keep processes hot around deliveries (net/keep-hot.ts, default true). False measures the
   * emulation as it was before (HCBENCH_KEEP_HOT=0 in every role process, no hot reply windows):
   * the bench's A/B of the mechanism.
   */
  keepHot?: boolean;
}

/**
 * Round-trip p50 of each path (histograms merged over the rounds, interpolated inside the HDR
 * bucket to 0.1 µs) and what follows from them, µs.
 */
export interface TruthFigures {
  appToRelayMs: number;
  relayToAgentMs: number;
  configuredRoundTripUs: number;
  p50Us: { directLoopback: number; relayLoopback: number; direct: number; relay: number };
  /** Fastest round trip of each path, µs. */
  minUs: { directLoopback: number; relayLoopback: number; direct: number; relay: number };
  /** The direct path's configured round trip, µs (equals configuredRoundTripUs unless `directMs` was given). */
  directConfiguredRoundTripUs: number;
  /** relay − direct at zero distance: the relay machinery. */
  machineryUs: number;
  /** relay − direct at equal configured round trip. */
  deltaUs: number;
  /** deltaUs − machineryUs: what the emulation adds to the relay beyond the direct path (0 = exact). */
  deltaErrorUs: number;
  /** direct − (configured + direct at zero distance): what the emulation adds to the direct path. */
  directExcessUs: number;
  /** (relay − relay at zero − configured) ÷ 4 traversals, µs. */
  relayErrorPerTraversalUs: number;
  /** (direct − direct at zero − configured) ÷ 2 traversals, µs. */
  directErrorPerTraversalUs: number;
  /** What the holding processes counted themselves (release lateness), per path. */
  emulation: { direct: EmulationError; relay: EmulationError };
  roundTrips: { direct: number; relay: number; directLoopback: number; relayLoopback: number };
  /** The unrecorded warm-up window of each path: connections opened (counted) and round trips. */
  warmup: Record<'direct' | 'relay' | 'directLoopback' | 'relayLoopback', { connectionsOpened: number; roundTrips: number }>;
}

/** The unrecorded warm-up round's window per path, at most, ms. */
export const WARMUP_ROUND_MAX_MS = 3000;

/**
 * Connections of the warm-up window on a path with distance. One connection crosses a distant
 * path ~12 times a second, too few for V8 to optimise the relay's code in the forwarder and relay
 * processes, which only that path uses (the on-prem process's code is warmed by the loopback
 * paths): measured at 81 ms (issue #12), one connection's relay p50 fell from 81.84 to 81.50 ms over
 * eight 6 s windows, while after 3 s at 64 connections it read 81.40–81.45 ms from the first window.
 */
export const WARMUP_CONNECTIONS = 32;

/** Connections of a path's warm-up window: {@link WARMUP_CONNECTIONS} with distance, 1 at zero distance (already thousands of round trips a second). */
export function warmupConnections(configuredRoundTripUs: number | undefined): number {
  return (configuredRoundTripUs ?? 0) > 0 ? WARMUP_CONNECTIONS : 1;
}

const hasDistance = (path: OpenPath): path is OpenPath & { configuredRoundTripUs: number } => (path.configuredRoundTripUs ?? 0) > 0;

const leg = (oneWayDelayMs: number): LegProfile => ({ oneWayDelayMs, jitterMs: 0, bandwidthBytesPerSec: 0 });

/** Measures one profile's four paths. Starts and stops every process it needs. */
export async function measureTruth(legs: TruthLegs, options: TruthOptions): Promise<TruthFigures> {
  const progress = options.onProgress ?? (() => undefined);
  const signal = options.signal ?? new AbortController().signal;
  const oneWayMs = legs.appToRelayMs + legs.relayToAgentMs;
  const directMs = legs.directMs ?? oneWayMs;
  const isHot = options.keepHot ?? true;
  const roleOptions = isHot ? {} : { env: { HCBENCH_KEEP_HOT: '0' } };
  const onprem: RoleHandle = await spawnRole('onprem', roleOptions);
  const opened: OpenPath[] = [];
  try {
    const target = await onprem.call<StartTargetResult>('startTarget');
    const dial = { host: target.host, port: target.port };
    const directLoopback = await openDirectPath('direct-loopback', onprem, dial, leg(0));
    opened.push(directLoopback);
    const relayLoopback = await openEmulatedRelayPath({ id: 'relay-loopback', onprem, target: dial, appToRelay: leg(0), relayToAgent: leg(0), agents: 1 }, roleOptions);
    opened.push(relayLoopback);
    const direct = await openDirectPath('direct', onprem, dial, leg(directMs));
    opened.push(direct);
    const relay = await openEmulatedRelayPath({ id: 'relay', onprem, target: dial, appToRelay: leg(legs.appToRelayMs), relayToAgent: leg(legs.relayToAgentMs), agents: 1 }, roleOptions);
    opened.push(relay);
    const params: WorkloadParams = {
      kind: 'tcp-request-response',
      connections: 1,
      roundTripsPerTransaction: options.roundTripsPerTransaction ?? 5,
      requestBytes: 64,
      responseBytes: 64,
    };
    const order = [directLoopback, relayLoopback, direct, relay];
    const histograms = new Map<string, HistogramRecord[]>(order.map((p) => [p.id, []]));
    const roundTrips = new Map<string, number>(order.map((p) => [p.id, 0]));
    const warmup = new Map<string, { connectionsOpened: number; roundTrips: number }>(order.map((p) => [p.id, { connectionsOpened: 0, roundTrips: 0 }]));
    const warmupOf = (id: string) => warmup.get(id) ?? { connectionsOpened: 0, roundTrips: 0 };
    const addWarmup = (id: string, counters: { connectionsOpened: number; roundTrips: number }): void => {
      const sum = warmupOf(id);
      warmup.set(id, { connectionsOpened: sum.connectionsOpened + counters.connectionsOpened, roundTrips: sum.roundTrips + counters.roundTrips });
    };
    const windowOf = (path: OpenPath): number => (hasDistance(path) ? options.windowMs : (options.loopbackWindowMs ?? options.windowMs));
    const runWindow = (path: OpenPath, durationMs: number, warmupMs: number, connections = 1) =>
      workloads['tcp-request-response'].run({
        dialAddress: path.dialAddress,
        params: { ...params, connections },
        warmupMs,
        durationMs,
        signal,
        clock: systemClock,
        ...(!isHot || !hasDistance(path) ? {} : { expectedRoundTripUs: path.configuredRoundTripUs }),
      });
    // One unrecorded round first: every process is new, and a path's first window read tens of µs
    // long per round trip (code not yet optimised, caches cold) in issue #12's measurements. A path
    // with distance is first driven over many connections (see WARMUP_CONNECTIONS), then, like every
    // path, over the one connection it is measured with: that window also lets the many-connection
    // window's last releases (tens of ms late: overlapping holds, 32 connections closing) drain
    // before lateness is counted.
    for (const path of order) {
      if (signal.aborted) break;
      const connections = warmupConnections(path.configuredRoundTripUs);
      const windowMs = Math.min(windowOf(path), WARMUP_ROUND_MAX_MS);
      if (connections > 1) {
        progress(`${oneWayMs} ms one way: warm-up, ${path.id} (${connections} connections)`);
        addWarmup(path.id, (await runWindow(path, windowMs, 0, connections)).metrics.counters);
      }
      if (signal.aborted) break;
      progress(`${oneWayMs} ms one way: warm-up, ${path.id}`);
      addWarmup(path.id, (await runWindow(path, windowMs, 0)).metrics.counters);
    }
    // The warm-up's holds (many connections at once) are not the measurement's: lateness is counted from here.
    const [directBefore, relayBefore] = await Promise.all([direct.readCounters?.(), relay.readCounters?.()]);
    for (let round = 0; round < options.rounds && !signal.aborted; round += 1) {
      for (const path of round % 2 === 0 ? order : [...order].reverse()) {
        if (signal.aborted) break;
        progress(`${oneWayMs} ms one way: round ${round + 1}/${options.rounds}, ${path.id}`);
        const outcome = await runWindow(path, windowOf(path), options.warmupMs);
        histograms.get(path.id)?.push(outcome.metrics.histograms.roundTrip);
        roundTrips.set(path.id, (roundTrips.get(path.id) ?? 0) + outcome.metrics.counters.roundTrips);
      }
    }
    const merged = new Map(order.map((path) => [path.id, mergeHistograms((histograms.get(path.id) ?? []).map(decodeRecord))]));
    const mergedOf = (id: string) => merged.get(id) ?? mergeHistograms([]);
    // Interpolated inside the HDR bucket (to 0.1 µs): the bucket's top edge, which plain p50 reports,
    // is up to 31 µs high at 40 ms and 63 µs at 81 ms, too coarse for a ±100 µs bound.
    const tenth = (us: number): number => Math.round(us * 10) / 10;
    const p50 = (id: string): number => tenth(interpolatedPercentileUs(mergedOf(id), 50));
    const min = (id: string): number => summarize(mergedOf(id)).minUs;
    const [directCounters, relayCounters] = await Promise.all([direct.readCounters?.(), relay.readCounters?.()]);
    const p = { directLoopback: p50('direct-loopback'), relayLoopback: p50('relay-loopback'), direct: p50('direct'), relay: p50('relay') };
    const configuredRoundTripUs = 2 * oneWayMs * 1000;
    const directConfiguredRoundTripUs = 2 * directMs * 1000;
    const machineryUs = tenth(p.relayLoopback - p.directLoopback);
    const deltaUs = tenth(p.relay - p.direct);
    return {
      appToRelayMs: legs.appToRelayMs,
      relayToAgentMs: legs.relayToAgentMs,
      configuredRoundTripUs,
      p50Us: p,
      minUs: { directLoopback: min('direct-loopback'), relayLoopback: min('relay-loopback'), direct: min('direct'), relay: min('relay') },
      directConfiguredRoundTripUs,
      machineryUs,
      deltaUs,
      deltaErrorUs: tenth(deltaUs - machineryUs),
      directExcessUs: tenth(p.direct - directConfiguredRoundTripUs - p.directLoopback),
      relayErrorPerTraversalUs: (p.relay - p.relayLoopback - configuredRoundTripUs) / 4,
      directErrorPerTraversalUs: (p.direct - p.directLoopback - directConfiguredRoundTripUs) / 2,
      emulation: {
        direct: emulationError({ id: 'direct', kind: 'direct', direct: leg(directMs) }, latenessSince(directCounters, directBefore)),
        relay: emulationError({ id: 'relay', kind: 'relay-emulated', appToRelay: leg(legs.appToRelayMs), relayToAgent: leg(legs.relayToAgentMs) }, latenessSince(relayCounters, relayBefore)),
      },
      roundTrips: {
        direct: roundTrips.get('direct') ?? 0,
        relay: roundTrips.get('relay') ?? 0,
        directLoopback: roundTrips.get('direct-loopback') ?? 0,
        relayLoopback: roundTrips.get('relay-loopback') ?? 0,
      },
      warmup: { direct: warmupOf('direct'), relay: warmupOf('relay'), directLoopback: warmupOf('direct-loopback'), relayLoopback: warmupOf('relay-loopback') },
    };
  } finally {
    for (const path of opened.reverse()) await path.close().catch(() => undefined);
    await onprem.stop();
  }
}
