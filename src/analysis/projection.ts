// Projection: the user's transaction latency on each path, from the measured costs and the
// user's own round trips and network distances. Pure.

import { tQuantile } from './normal.js';
import type { PathSeries } from './pairing.js';
import type { Estimate, FitComparison, Projection, ProjectionInput, RoundTripFit } from '../metrics/analysis-result.js';

/** The model, stated once for the reports. */
export const PROJECTION_MODEL =
  'T_direct = a_direct + k·(b_direct − measuredRtt_direct + directRtt); ' +
  'T_relay = a_relay + k·(b_relay − measuredRtt_relay + appToRelayRtt + relayToAgentRtt + agentToTargetRtt); ' +
  'a, b = measured fixed and per-round-trip costs (fit over the sweep, else mean round trip with a = 0); measuredRtt = the RTT the ' +
  'measured path had configured (topology), so only the machinery\'s own cost is carried over; distances default to the measured ones; ' +
  'connection setup is not included (pooled connections)';

function line(fit: { a: number; b: number; seA: number; seB: number; cov: number }, k: number, rttMs: number, z: number | null, n: number): Estimate {
  const valueMs = (fit.a + k * fit.b) / 1000 + k * rttMs;
  if (z === null) return { value: valueMs, interval: null, n, note: 'no round-trip sweep, no interval' };
  const seMs = Math.sqrt(Math.max(0, fit.seA ** 2 + k ** 2 * fit.seB ** 2 + 2 * k * fit.cov)) / 1000;
  return { value: valueMs, interval: { low: valueMs - z * seMs, high: valueMs + z * seMs }, n };
}

const fromFit = (f: RoundTripFit) => ({ a: f.interceptUs, b: f.slopeUs, seA: f.interceptSeUs, seB: f.slopeSeUs, cov: f.covarianceUs2 });

function meanRoundTripUs(series: PathSeries): number {
  const means = [...series.byRepetition.values()].map((s) => s.metrics.histograms.roundTrip.summary.meanUs);
  return means.reduce((a, b) => a + b, 0) / Math.max(1, means.length);
}

/**
 * Expected transaction latency (ms) of the user's protocol on each path. Uses the first sweep fit
 * when there is one, else the first direct/relay pair's mean round trip. Null when neither exists.
 */
export function projectLatency(
  input: ProjectionInput,
  fits: readonly FitComparison[],
  pairs: readonly { direct: PathSeries; relay: PathSeries }[],
  confidence: number,
  measuredRttMs: (pathId: string) => number,
): Projection | null {
  const k = input.roundTripsPerTransaction;
  const userDirectRtt = input.directRttMs ?? 0;
  const userRelayRtt = (input.appToRelayRttMs ?? 0) + (input.relayToAgentRttMs ?? 0) + (input.agentToTargetRttMs ?? 0);
  const fit = fits[0];
  if (fit !== undefined) {
    const measured = { directMs: measuredRttMs(fit.direct.pathId), relayMs: measuredRttMs(fit.relay.pathId) };
    const directRtt = userDirectRtt - measured.directMs;
    const relayRtt = userRelayRtt - measured.relayMs;
    const df = fit.direct.points.length + fit.relay.points.length - 4;
    const z = tQuantile(1 - (1 - confidence) / 2, df);
    const n = fit.direct.points.length + fit.relay.points.length;
    const directMs = line(fromFit(fit.direct), k, directRtt, z, fit.direct.points.length);
    const relayMs = line(fromFit(fit.relay), k, relayRtt, z, fit.relay.points.length);
    const d = fit.interceptDeltaUs.value + k * fit.slopeDeltaUs.value;
    const deltaValueMs = d / 1000 + k * (relayRtt - directRtt);
    const seMs =
      Math.sqrt(
        fit.direct.interceptSeUs ** 2 + k ** 2 * fit.direct.slopeSeUs ** 2 + 2 * k * fit.direct.covarianceUs2 +
          fit.relay.interceptSeUs ** 2 + k ** 2 * fit.relay.slopeSeUs ** 2 + 2 * k * fit.relay.covarianceUs2,
      ) / 1000;
    const deltaMs: Estimate = { value: deltaValueMs, interval: { low: deltaValueMs - z * seMs, high: deltaValueMs + z * seMs }, n };
    return { input, basis: { key: fit.key, source: 'fit', measuredRttMs: measured }, directMs, relayMs, deltaMs, model: PROJECTION_MODEL };
  }
  const pair = pairs[0];
  if (pair === undefined) return null;
  const measured = { directMs: measuredRttMs(pair.direct.pathId), relayMs: measuredRttMs(pair.relay.pathId) };
  const directRtt = userDirectRtt - measured.directMs;
  const relayRtt = userRelayRtt - measured.relayMs;
  const d = { a: 0, b: meanRoundTripUs(pair.direct), seA: 0, seB: 0, cov: 0 };
  const r = { a: 0, b: meanRoundTripUs(pair.relay), seA: 0, seB: 0, cov: 0 };
  const directMs = line(d, k, directRtt, null, pair.direct.byRepetition.size);
  const relayMs = line(r, k, relayRtt, null, pair.relay.byRepetition.size);
  const deltaMs: Estimate = { value: relayMs.value - directMs.value, interval: null, n: Math.min(directMs.n, relayMs.n), note: 'no round-trip sweep, no interval' };
  return { input, basis: { key: pair.direct.key, source: 'round-trip mean', measuredRttMs: measured }, directMs, relayMs, deltaMs, model: PROJECTION_MODEL };
}
