// The decision an architect takes from a run, as numbers: for every compared workload variant,
// what each relay path costs per transaction over the direct path (p50 and p99, with intervals),
// connection setup, the throughput ratio when the load could show a ceiling, the scenario's
// latency budget met or missed with its margin, and the most round trips per transaction each path
// can afford inside it. Relay paths are ranked (placements compared). Pure.

import type { Estimate, FitComparison, PathComparison, RunAnalysis } from '../metrics/analysis-result.js';
import type { PathKind, RunResult } from '../metrics/result.js';
import { isMarkedUntrusted } from './statistic-trust.js';
import { groupSeries, type MeasuredStep } from './pairing.js';
import { configuredRtts, recordedHandshakeRoundTrips } from './configured-delays.js';

/** One path of the verdict: its transaction latency and how it stands against the budget. */
export interface VerdictPath {
  pathId: string;
  kind: PathKind;
  /** The relay region of a region-based relay path (result topology), when known. */
  relayRegion?: string;
  /** Transaction p50 / p99 / mean of the histograms merged over repetitions, µs. */
  transactionP50Us: number;
  transactionP99Us: number;
  transactionMeanUs: number;
  /** A figure above is marked untrusted (the generator's own timing error) in some repetition. */
  isUntrusted: boolean;
  /** Against `budget.transactionP99Ms`: met when p99 <= budget; margin = budget − p99, ms. */
  budget?: { meets: boolean; marginMs: number };
  /** Most round trips per transaction whose modelled p99 fits the budget (0 = not even one); absent without a budget or a model. */
  maxRoundTrips?: number;
  /** Transaction latency model per round trip: a + b·k (µs), from the fit over the sweep or the mean round trip. */
  model?: { aUs: number; bUs: number; source: 'fit' | 'round-trip mean' };
}

/** What one relay path costs over the direct path. */
export interface RelayCost {
  pathId: string;
  /** Transaction percentiles: relay − direct (µs, with interval) and that as a share of direct (%). */
  p50: { deltaUs: Estimate; percent: number | null };
  p99: { deltaUs: Estimate; percent: number | null };
  connectionSetup: PathComparison['connectionSetup'];
  /**
   * The relay rendezvous a new connection waits for after its TCP connect to the local forwarder
   * (forwarder setup p50, whole run), µs; null when not recorded. A `connect` setup figure does not
   * contain it, so the text adds it; a `firstByte` figure already does.
   */
  rendezvousP50Us: number | null;
  /** Relayed connections behind {@link rendezvousP50Us} (the forwarder's setups, whole run); 0 when not recorded. */
  rendezvousConnections: number;
  /**
   * The direct path's emulated TCP handshake, µs (its recorded handshake round trips × its
   * configured round trip): held by its delay proxy after the client's connect completed locally, so
   * a `connect` setup figure does not contain it and the text adds it; a `firstByte` figure does. 0
   * without distance or in results from before handshakes were emulated.
   */
  directHandshakeUs: number;
  /**
   * Open model only: response time from each transaction's intended start (dispatch lag and the
   * wait for a pooled connection included), relay − direct at p50 and p99; null when not recorded.
   * Where the relay's pool cannot keep up, this, not the transaction time, is what users wait.
   */
  responseTime: { p50: { deltaUs: Estimate; percent: number | null }; p99: { deltaUs: Estimate; percent: number | null }; isUntrusted: boolean } | null;
  /** Transactions/s relay ÷ direct; a ceiling only when the load was closed and unpaced (else both carried the offered rate). */
  throughput: { ratio: Estimate | null; isCeiling: boolean };
}

/** The decision figures of one workload variant. */
export interface Verdict {
  key: string;
  roundTripsPerTransaction: number;
  directPathId: string;
  /** Paired repetitions behind the intervals, and the measured seconds per step. */
  n: number;
  measuredSeconds: number;
  budgetMs: number | null;
  /** The direct path first, then the relay paths ranked by transaction p99 (best first). */
  paths: VerdictPath[];
  /** Relay costs, in the same ranked order. */
  relays: RelayCost[];
  /** How `maxRoundTrips` is computed, one line. */
  budgetMethod: string;
}

/** How the round trips that fit the budget are computed. */
export const BUDGET_METHOD =
  'round trips inside the budget: largest k with a + b·k + (p99 − mean at the measured k) <= budget, a and b from the round-trip fit over the sweep (else a = 0, b = mean round trip)';

type Merged = { p50Us: number; p99Us: number; meanUs: number; count: number };

function budgetOf(result: RunResult): number | null {
  const budget = (result.scenario.resolved as { budget?: { transactionP99Ms?: unknown } } | null)?.budget?.transactionP99Ms;
  return typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : null;
}

function relayRegionOf(result: RunResult, pathId: string): string | undefined {
  const paths = Array.isArray(result.topology?.paths) ? (result.topology.paths as { id?: unknown; kind?: unknown; regions?: { relay?: unknown } }[]) : [];
  const path = paths.find((p) => p.id === pathId);
  if (path === undefined || path.kind !== 'relay-emulated') return undefined;
  const own = path.regions?.relay;
  const network = (result.topology?.network as { regions?: { relay?: unknown } } | undefined)?.regions?.relay;
  const region = own ?? network;
  return typeof region === 'string' ? region : undefined;
}

/** The forwarder's rendezvous p50 on `pathId` over the whole run (local accept → relayed WebSocket open), µs. */
export function rendezvousP50Us(result: RunResult, pathId: string): number | null {
  return rendezvousOf(result, pathId)?.p50Us ?? null;
}

/** The forwarder's rendezvous p50 on `pathId` and the connections behind it; undefined when none was recorded. */
function rendezvousOf(result: RunResult, pathId: string): { p50Us: number; count: number } | undefined {
  const forwarder = result.pathCounters?.[pathId]?.['forwarder'] as { timing?: { setup?: { summary?: { p50Us?: unknown; count?: unknown } } } } | undefined;
  const summary = forwarder?.timing?.setup?.summary;
  return typeof summary?.p50Us === 'number' && typeof summary.count === 'number' && summary.count > 0 ? { p50Us: summary.p50Us, count: summary.count } : undefined;
}

function responseTimeCost(c: PathComparison, steps: readonly MeasuredStep[]): RelayCost['responseTime'] {
  const at = (pct: 'p50' | 'p99') => c.percentiles.find((p) => p.metric === 'responseTime' && p.percentile === pct);
  const p50 = at('p50');
  const p99 = at('p99');
  if (p50 === undefined || p99 === undefined) return null;
  return {
    p50: { deltaUs: p50.deltaUs, percent: percentOf(p50.deltaUs.value, p50.directUs) },
    p99: { deltaUs: p99.deltaUs, percent: percentOf(p99.deltaUs.value, p99.directUs) },
    isUntrusted: steps.some((s) => (['p50', 'p99'] as const).some((p) => isMarkedUntrusted(s.metrics, 'responseTime', p))),
  };
}

/** Round-trip mean over the variant's steps on a path (means merge exactly). */
function meanOf(steps: readonly MeasuredStep[], pick: (s: MeasuredStep) => { meanUs: number; count: number }): number {
  let sum = 0;
  let count = 0;
  for (const s of steps) {
    const h = pick(s);
    sum += h.meanUs * h.count;
    count += h.count;
  }
  return count === 0 ? 0 : sum / count;
}

function modelFor(pathId: string, key: string, fits: readonly FitComparison[], steps: readonly MeasuredStep[]): VerdictPath['model'] {
  const sweep = key.split('[')[0] ?? key;
  for (const f of fits) {
    if (f.key.split('[')[0] !== sweep) continue;
    if (f.relay.pathId === pathId) return { aUs: f.relay.interceptUs, bUs: f.relay.slopeUs, source: 'fit' };
    if (f.direct.pathId === pathId) return { aUs: f.direct.interceptUs, bUs: f.direct.slopeUs, source: 'fit' };
  }
  const b = meanOf(steps, (s) => s.metrics.histograms.roundTrip.summary);
  return b > 0 ? { aUs: 0, bUs: b, source: 'round-trip mean' } : undefined;
}

function maxRoundTrips(model: NonNullable<VerdictPath['model']>, budgetUs: number, tailUs: number): number | undefined {
  if (!(model.bUs > 0)) return undefined;
  return Math.max(0, Math.floor((budgetUs - Math.max(0, tailUs) - model.aUs) / model.bUs));
}

const percentOf = (deltaUs: number, directUs: number): number | null => (directUs > 0 ? (100 * deltaUs) / directUs : null);

/**
 * One verdict per compared workload variant (matrix point or workload), in the scenario's order;
 * empty when nothing was compared. Each variant has one baseline path (pairing.ts), so each verdict
 * ranks every relay path of its variant against that one direct path.
 */
export function computeVerdicts(result: RunResult, analysis: RunAnalysis): Verdict[] {
  const keys = [...new Set(analysis.comparisons.map((c) => c.key))];
  return keys.flatMap((key) => {
    const verdict = verdictOf(result, analysis, key);
    return verdict === null ? [] : [verdict];
  });
}

function verdictOf(result: RunResult, analysis: RunAnalysis, key: string): Verdict | null {
  const first = analysis.comparisons.find((c) => c.key === key);
  if (first === undefined) return null;
  const comparisons = analysis.comparisons.filter((c) => c.key === key && c.directPathId === first.directPathId);
  const series = groupSeries(result.steps).filter((s) => s.key === key);
  const budgetMs = budgetOf(result);
  const stepsOf = (pathId: string) => [...(series.find((s) => s.pathId === pathId)?.byRepetition.values() ?? [])];
  const txOf = (c: PathComparison, pct: 'p50' | 'p99') => c.percentiles.find((p) => p.metric === 'transaction' && p.percentile === pct);
  const pathOf = (pathId: string, kind: PathKind, merged: Merged): VerdictPath => {
    const steps = stepsOf(pathId);
    const isUntrusted = steps.some((s) => (['p50', 'p99'] as const).some((p) => isMarkedUntrusted(s.metrics, 'transaction', p)));
    const model = modelFor(pathId, key, analysis.fits, steps);
    const region = relayRegionOf(result, pathId);
    const path: VerdictPath = { pathId, kind, transactionP50Us: merged.p50Us, transactionP99Us: merged.p99Us, transactionMeanUs: merged.meanUs, isUntrusted, ...(region === undefined ? {} : { relayRegion: region }), ...(model === undefined ? {} : { model }) };
    if (budgetMs === null) return path;
    const budgetUs = budgetMs * 1000;
    const k = model === undefined ? undefined : maxRoundTrips(model, budgetUs, merged.p99Us - merged.meanUs);
    return { ...path, budget: { meets: merged.p99Us <= budgetUs, marginMs: (budgetUs - merged.p99Us) / 1000 }, ...(k === undefined ? {} : { maxRoundTrips: k }) };
  };
  const directSteps = stepsOf(first.directPathId);
  const directP50 = txOf(first, 'p50');
  const directP99 = txOf(first, 'p99');
  if (directP50 === undefined || directP99 === undefined) return null;
  const direct = pathOf(first.directPathId, directSteps[0]?.pathKind ?? 'direct', {
    p50Us: directP50.directUs, p99Us: directP99.directUs, meanUs: meanOf(directSteps, (s) => s.metrics.histograms.transaction.summary), count: 0,
  });
  const isPaced = (steps: readonly MeasuredStep[]) => steps.some((s) => s.metrics.timing?.model === 'open' || s.metrics.timing?.rateLimitPerSec !== undefined);
  const ranked = comparisons
    .flatMap((c) => {
      const p50 = txOf(c, 'p50');
      const p99 = txOf(c, 'p99');
      if (p50 === undefined || p99 === undefined) return [];
      const steps = stepsOf(c.relayPathId);
      const path = pathOf(c.relayPathId, steps[0]?.pathKind ?? 'relay-emulated', { p50Us: p50.relayUs, p99Us: p99.relayUs, meanUs: meanOf(steps, (s) => s.metrics.histograms.transaction.summary), count: 0 });
      const rendezvous = rendezvousOf(result, c.relayPathId);
      const cost: RelayCost = {
        pathId: c.relayPathId,
        p50: { deltaUs: p50.deltaUs, percent: percentOf(p50.deltaUs.value, p50.directUs) },
        p99: { deltaUs: p99.deltaUs, percent: percentOf(p99.deltaUs.value, p99.directUs) },
        connectionSetup: c.connectionSetup,
        rendezvousP50Us: rendezvous?.p50Us ?? null,
        rendezvousConnections: rendezvous?.count ?? 0,
        directHandshakeUs: (recordedHandshakeRoundTrips(result, first.directPathId) ?? 0) * configuredRtts(result, first.directPathId).directRttMs * 1000,
        responseTime: responseTimeCost(c, [...steps, ...directSteps]),
        throughput: { ratio: c.throughput.ratio, isCeiling: !isPaced(steps) && !isPaced(directSteps) },
      };
      return [{ path, cost }];
    })
    .sort((a, b) => a.path.transactionP99Us - b.path.transactionP99Us);
  const k = directSteps[0]?.variant?.['roundTripsPerTransaction'] ?? directSteps[0]?.workload?.['roundTripsPerTransaction'];
  return {
    key,
    roundTripsPerTransaction: typeof k === 'number' ? k : 1,
    directPathId: first.directPathId,
    n: first.repetitions.length,
    measuredSeconds: (directSteps[0]?.metrics.durationMs ?? 0) / 1000,
    budgetMs,
    paths: [direct, ...ranked.map((r) => r.path)],
    relays: ranked.map((r) => r.cost),
    budgetMethod: BUDGET_METHOD,
  };
}
