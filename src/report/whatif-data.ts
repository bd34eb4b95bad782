// The data the HTML page's what-if embeds: each verdict path's measured transaction model
// (a + b·k), the distances it was measured with, its connection setup, the measured range of k,
// the run's region placement and the whole region matrix, so the page can recompute offline. Pure.

import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { configuredRtts, recordedHandshakeRoundTrips } from '../analysis/configured-delays.js';
import { rendezvousP50Us, type Verdict } from '../analysis/verdict.js';
import { regionTable } from '../regions/load.js';
import { SAME_REGION_RTT_MS } from '../regions/table.js';

export interface WhatIfPath {
  pathId: string;
  kind: string;
  /** Its own relay region (region-based relay paths). */
  relayRegion: string | null;
  /** Measured transaction p99 − mean at the verdict's k, µs: added to the modelled mean for a p99 estimate. */
  tailUs: number;
  /** Fixed and per-round-trip cost, µs, as measured (configured distance and emulation error included). */
  aUs: number;
  bUs: number;
  source: 'fit' | 'round-trip mean';
  /** Configured round trips of the legs it was measured with, ms. */
  measured: { directRttMs: number; appToRelayRttMs: number; relayToAgentRttMs: number };
  /** What a new connection cost before its first transaction (p50), µs; null when not timed. */
  setupUs: number | null;
  setupSource: string;
  /** Round trips of each leg inside {@link setupUs} (handshakes, upgrades, a first exchange), so the page moves it with the distances. */
  setupRtts: { direct: number; appToRelay: number; relayToAgent: number };
}

export interface WhatIfData {
  key: string;
  /** The k the verdict measured, and the range of k behind the models. */
  k: number;
  kMin: number;
  kMax: number;
  budgetMs: number | null;
  paths: WhatIfPath[];
  /** The run's placement when its network was region-based. */
  placement: { app: string; relay: string; site: string; siteOneWayDelayMs: number; p95Scale: number } | null;
  regions: string[];
  /** rttMs[i][j]: P95 round trip from regions[i] to regions[j], ms; null when missing or i = j. */
  rttMs: (number | null)[][];
  sameRegionRttMs: number;
}

type Setup = Pick<WhatIfPath, 'setupUs' | 'setupSource' | 'setupRtts'>;

/**
 * A path's setup and the round trips of each leg it holds: with n handshake round trips, a direct
 * first byte is n + 1 round trips (handshake, exchange) and a TCP connect none, as its handshake is
 * held after the connect (so it is added here from the configured leg); a relayed first byte n + 2
 * of each leg (handshakes, upgrade and accept/rendezvous, exchange), its rendezvous n + 1.
 */
function setupOf(analysis: RunAnalysis, verdict: Verdict, pathId: string, kind: string, result: RunResult): Setup {
  const n = recordedHandshakeRoundTrips(result, pathId) ?? 0;
  const none = { direct: 0, appToRelay: 0, relayToAgent: 0 };
  const legs = (k: number): Setup['setupRtts'] => (kind === 'direct' ? { ...none, direct: k } : { ...none, appToRelay: k, relayToAgent: k });
  const c = analysis.comparisons.find((x) => x.key === verdict.key && (x.relayPathId === pathId || x.directPathId === pathId));
  const pick = (metric: string) => {
    const p = c?.percentiles.find((x) => x.metric === metric && x.percentile === 'p50');
    return p === undefined ? undefined : c?.directPathId === pathId ? p.directUs : p.relayUs;
  };
  const firstByte = pick('firstByte');
  if (firstByte !== undefined) return { setupUs: firstByte, setupSource: 'first byte on a new connection, p50', setupRtts: legs(kind === 'direct' ? n + 1 : n + 2) };
  const connect = pick('connect');
  const rendezvous = rendezvousP50Us(result, pathId);
  if (connect === undefined) return { setupUs: null, setupSource: 'not timed', setupRtts: none };
  if (rendezvous !== null) return { setupUs: connect + rendezvous, setupSource: 'TCP connect + relay rendezvous, p50', setupRtts: legs(n + 1) };
  const handshakeUs = kind === 'direct' ? n * configuredRtts(result, pathId).directRttMs * 1000 : 0;
  return handshakeUs > 0
    ? { setupUs: connect + handshakeUs, setupSource: 'TCP connect, p50, + its emulated TCP round trip (configured)', setupRtts: legs(n) }
    : { setupUs: connect, setupSource: 'TCP connect, p50', setupRtts: none };
}

/** The what-if's data for `verdict`. */
export function whatIfData(result: RunResult, analysis: RunAnalysis, verdict: Verdict): WhatIfData {
  const ks = analysis.fits.flatMap((f) => f.direct.points.map((p) => p.roundTrips));
  const table = regionTable();
  const placement = (result.topology?.network as { regions?: { app?: unknown; relay?: unknown; siteRegion?: unknown; siteOneWayDelayMs?: unknown; p95Scale?: unknown } } | undefined)?.regions;
  const paths = verdict.paths.flatMap((p): WhatIfPath[] =>
    p.model === undefined ? [] : [{ pathId: p.pathId, kind: p.kind, relayRegion: p.relayRegion ?? null, tailUs: Math.max(0, p.transactionP99Us - p.transactionMeanUs), aUs: p.model.aUs, bUs: p.model.bUs, source: p.model.source, measured: configuredRtts(result, p.pathId), ...setupOf(analysis, verdict, p.pathId, p.kind, result) }],
  );
  return {
    key: verdict.key,
    k: verdict.roundTripsPerTransaction,
    kMin: ks.length === 0 ? verdict.roundTripsPerTransaction : Math.min(...ks),
    kMax: ks.length === 0 ? verdict.roundTripsPerTransaction : Math.max(...ks),
    budgetMs: verdict.budgetMs,
    paths,
    placement:
      typeof placement?.app === 'string' && typeof placement.relay === 'string' && typeof placement.siteRegion === 'string'
        ? { app: placement.app, relay: placement.relay, site: placement.siteRegion, siteOneWayDelayMs: Number(placement.siteOneWayDelayMs) || 0, p95Scale: Number(placement.p95Scale) || 1 }
        : null,
    regions: [...table.regions],
    rttMs: table.regions.map((from) => table.regions.map((to) => table.rttP95Ms(from, to) ?? null)),
    sameRegionRttMs: SAME_REGION_RTT_MS,
  };
}
