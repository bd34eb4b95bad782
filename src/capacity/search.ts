// Capacity search per path: raise the open-model rate geometrically until the SLO breaks, then
// bisect between the last sustained and the first breaking rate. Every probe is an ordinary run
// (see probe.ts). Never prints: progress goes through `onProbe`.

import { UsageError } from '../errors.js';
import type { RunResult } from '../metrics/result.js';
import type { RunProgress } from '../run/run-plan.js';
import { undefinedIfInterrupted } from '../bounded.js';
import type { Scenario, ScenarioWorkload } from '../scenario/schema.js';
import { estimateRelayUsage, type RelayPrices } from './cost.js';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../azure/limits.js';
import { checkRelayLimits } from './limit-warnings.js';
import { medianServiceMs, runProbe, unreachableSlo } from './probe.js';
import { closestMatch } from '../scenario/suggest.js';
import { sweepConnections } from './connection-sweep.js';
import type { CapacityPoint, CapacityReport, CapacitySlo, PathCapacity } from './types.js';

export interface CapacityOptions {
  scenario: Scenario;
  scenarioFile: string;
  signal: AbortSignal;
  slo: CapacitySlo;
  /** First offered rate, per second. Default: the workload's open-model rate, else 100. */
  startRatePerSec?: number;
  /** Ramp multiplier before the first break. Default 2. */
  stepFactor?: number;
  /** Stop bisecting when (breaking − sustained) ÷ sustained <= this. Default 0.05. */
  resolution?: number;
  /** Never offer more than this, per second. Default 100000. */
  maxRatePerSec?: number;
  /** Most probes per path. Default 12. */
  maxProbesPerPath?: number;
  /** Measured window and warm-up of each probe, ms. Defaults 2000 and 500. */
  durationMs?: number;
  warmupMs?: number;
  /** Also sweep these connection counts (closed model), reporting errors by class and limits exceeded. */
  connectionCounts?: number[];
  /** Skip the rate search (e.g. only the connection sweep). Default false. */
  skipRateSearch?: boolean;
  /** Only these paths (ids); default every path of the scenario. */
  pathIds?: string[];
  limits?: RelayLimits;
  prices?: RelayPrices;
  secrets?: Record<string, string | undefined>;
  onProbe?: (pathId: string, point: CapacityPoint) => void;
  /** Called before each probe of the rate search runs (`probe` counts from 1 per path). */
  onProbeStart?: (pathId: string, ratePerSec: number, probe: number) => void;
  onProgress?: (event: RunProgress) => void;
}

const OPEN_MODEL_KINDS = new Set(['tcp-request-response', 'connection-churn', 'dialog']);

/** The workload a capacity search drives: the first one, which must support the open model. */
export function capacityWorkload(scenario: Scenario): ScenarioWorkload {
  const workload = scenario.workloads?.[0] ?? scenario.workload;
  if (workload === undefined || !OPEN_MODEL_KINDS.has(workload.kind)) {
    throw new UsageError(`capacity needs an open-model workload (${[...OPEN_MODEL_KINDS].join(', ')}) first in the scenario, got ${workload?.kind ?? 'none'}`);
  }
  return workload;
}

/** Runs the search on every path and assembles the report. */
export async function searchCapacity(options: CapacityOptions): Promise<CapacityReport> {
  const workload = capacityWorkload(options.scenario);
  const warnings = checkRelayLimits(options.scenario, options.limits ?? DEFAULT_RELAY_LIMITS);
  if ((options.scenario.workloads?.length ?? 1) > 1) warnings.push(`only the first workload (${workload.id ?? workload.kind}) is searched`);
  if (workload.matrix !== undefined) warnings.push('the workload matrix is ignored: capacity varies the rate only');
  const durationMs = options.durationMs ?? 2_000;
  const warmupMs = options.warmupMs ?? 500;
  const known = options.scenario.paths.map((p) => p.id ?? p.kind);
  const pathIds = options.pathIds ?? known;
  for (const id of pathIds) {
    if (known.includes(id)) continue;
    const suggestion = closestMatch(id, known);
    throw new UsageError(`--path ${id}: the scenario has no such path${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`} (paths: ${known.join(', ')})`);
  }
  const paths: PathCapacity[] = [];
  const results: RunResult[] = [];
  for (const pathId of options.skipRateSearch === true ? [] : pathIds) {
    if (options.signal.aborted) break;
    const kind = options.scenario.paths.find((p) => (p.id ?? p.kind) === pathId)?.kind ?? 'unknown';
    const { curve, unreachable } = await searchPath(options, workload, pathId, durationMs, warmupMs, (result) => results.push(result));
    paths.push(summarise(pathId, kind, curve, unreachable));
  }
  const connectionSweep =
    options.connectionCounts === undefined || options.connectionCounts.length === 0
      ? undefined
      : await sweepConnections({
          scenario: { ...options.scenario, paths: options.scenario.paths.filter((p) => pathIds.includes(p.id ?? p.kind)) },
          scenarioFile: options.scenarioFile,
          workload,
          connectionCounts: options.connectionCounts,
          durationMs,
          warmupMs,
          signal: options.signal,
          limits: options.limits ?? DEFAULT_RELAY_LIMITS,
          ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
          onResult: (result) => results.push(result),
        });
  const usage = results.map((r) => estimateRelayUsage(r, options.prices));
  const listenerHours = usage.reduce((a, u) => a + u.listenerHours, 0);
  const gigabytes = usage.reduce((a, u) => a + u.gigabytes, 0);
  const cost = usage.some((u) => u.cost === null) ? null : usage.reduce((a, u) => a + (u.cost ?? 0), 0);
  return {
    scenario: options.scenario.name,
    workloadId: workload.id ?? workload.kind,
    slo: options.slo,
    probeDurationMs: durationMs,
    probeWarmupMs: warmupMs,
    paths,
    ...(connectionSweep === undefined ? {} : { connectionSweep }),
    warnings,
    relayUsage: {
      listenerHours,
      gigabytes,
      cost,
      summary: `${listenerHours.toPrecision(3)} listener-hours, ${gigabytes.toPrecision(3)} GB relayed${cost === null ? ' (no prices given)' : `, cost ${cost.toPrecision(3)}`}`,
    },
  };
}

async function searchPath(
  options: CapacityOptions,
  workload: ScenarioWorkload,
  pathId: string,
  durationMs: number,
  warmupMs: number,
  keep: (result: RunResult) => void,
): Promise<{ curve: CapacityPoint[]; unreachable?: string }> {
  const factor = options.stepFactor ?? 2;
  const resolution = options.resolution ?? 0.05;
  const maxRate = options.maxRatePerSec ?? 100_000;
  const maxProbes = options.maxProbesPerPath ?? 12;
  const open = 'load' in workload && workload.load?.model === 'open' ? workload.load.ratePerSec : undefined;
  const start = options.startRatePerSec ?? (open !== undefined && open > 0 ? open : 100);
  let rate = start;
  let sustained: number | undefined;
  let breaking: number | undefined;
  const curve: CapacityPoint[] = [];
  let lowestMedianMs = Number.POSITIVE_INFINITY;
  for (let probe = 0; probe < maxProbes && !options.signal.aborted; probe++) {
    options.onProbeStart?.(pathId, rate, probe + 1);
    // Ctrl-C during a probe's setup ends the search with what was measured so far.
    const probed = await runProbe({
      scenario: options.scenario,
      scenarioFile: options.scenarioFile,
      workload,
      pathId,
      ratePerSec: rate,
      durationMs,
      warmupMs,
      slo: options.slo,
      signal: options.signal,
      ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    }).catch(undefinedIfInterrupted);
    if (probed === undefined) break;
    const { point, result } = probed;
    keep(result);
    curve.push(point);
    options.onProbe?.(pathId, point);
    // An SLO below the path's latency without load: say so at once instead of searching downward.
    const medianMs = medianServiceMs(result);
    if (medianMs !== undefined) lowestMedianMs = Math.min(lowestMedianMs, medianMs);
    const unreachable = point.isSustained ? undefined : unreachableSlo(point, medianMs, options.slo);
    if (unreachable !== undefined) return { curve, unreachable };
    if (point.isSustained) sustained = Math.max(sustained ?? 0, rate);
    else breaking = Math.min(breaking ?? Number.POSITIVE_INFINITY, rate);
    if (sustained !== undefined && breaking !== undefined && (breaking - sustained) / sustained <= resolution) break;
    if (breaking === undefined) {
      if (rate >= maxRate) break;
      rate = Math.min(maxRate, rate * factor);
    } else if (sustained === undefined) {
      // Ramp down at most three steps below the start: a path that breaks there is broken, not slow.
      rate = rate / factor;
      if (rate < start / factor ** 3 || rate < 0.01) break;
    } else {
      rate = (sustained + breaking) / 2;
    }
    // Integer rates where possible keep step ids and reports readable.
    if (rate >= 10) rate = Math.round(rate);
  }
  // Ramped down as far as allowed without holding: if every probe's median service time was above the bound, say why.
  if (sustained === undefined && Number.isFinite(lowestMedianMs) && lowestMedianMs > options.slo.p99Ms && !options.signal.aborted) {
    return { curve, unreachable: `no rate can meet p99 <= ${options.slo.p99Ms} ms: the lowest median service time of any probe was ${lowestMedianMs.toFixed(1)} ms (no queueing in it), and load only adds to that` };
  }
  return { curve };
}

function summarise(pathId: string, pathKind: string, points: readonly CapacityPoint[], unreachable: string | undefined): PathCapacity {
  const curve = [...points].sort((a, b) => a.ratePerSec - b.ratePerSec);
  const ok = curve.filter((p) => p.isSustained);
  const maxSustained = ok.length === 0 ? null : Math.max(...ok.map((p) => p.ratePerSec));
  const broken = curve.filter((p) => !p.isSustained && (maxSustained === null || p.ratePerSec > maxSustained));
  const lowestBreaking = broken.length === 0 ? null : Math.min(...broken.map((p) => p.ratePerSec));
  let knee: PathCapacity['knee'] = null;
  const base = curve[0]?.p99Us ?? 0;
  for (const p of curve) {
    if (!p.isSustained || (base > 0 && p.p99Us > 2 * base)) break;
    knee = { ratePerSec: p.ratePerSec, p99Us: p.p99Us };
  }
  const out: PathCapacity = { pathId, pathKind, maxSustainedPerSec: maxSustained, lowestBreakingPerSec: lowestBreaking, knee, curve };
  const firstBreak = curve.find((p) => p.ratePerSec === lowestBreaking);
  if (unreachable !== undefined) out.verdict = { kind: 'slo-unreachable', message: unreachable };
  else if (firstBreak !== undefined && !firstBreak.isGeneratorValid) {
    out.verdict = { kind: 'generator-limited', message: `the first break (${Math.round(firstBreak.ratePerSec)}/s) came with the generator falling behind: the ceiling may be the generator's, not ${pathId}'s; use more generators (\`generators: N\`) or a quieter machine` };
  }
  return out;
}
