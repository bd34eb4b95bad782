// The relayed connection setup in steps (metrics/setup-steps.ts): the forwarder's and the agents'
// stamps of the most recent connections, joined per connection, as p50 / p99 per step. Pure.

import { createLatencyHistogram, recordUs, summarize } from '../metrics/histogram.js';
import type { LatencySummary } from '../metrics/result.js';
import { type AgentSetupStamps, SETUP_STEP_KEYS, SETUP_STEP_LABELS, type SetupSteps, joinSetupSteps, readAgentStamps, readForwarderStamps } from '../metrics/setup-steps.js';
import { formatUs, renderTable } from './format.js';

/** Summaries per step of one path's joined setups, and how many connections could not be joined. */
export interface SetupBreakdown {
  steps: Record<(typeof SETUP_STEP_KEYS)[number], LatencySummary>;
  joined: number;
  unmatched: number;
  disordered: number;
}

/** Agent stamps of a path: every agent's (`agents`), else the summed `agent` entry's. */
function agentStampsOf(counters: Record<string, unknown>): AgentSetupStamps[] {
  const agents = counters['agents'];
  if (agents !== null && typeof agents === 'object') {
    const all = Object.values(agents as Record<string, unknown>).flatMap((agent) => readAgentStamps((agent as { setupStamps?: unknown } | null)?.setupStamps));
    if (all.length > 0) return all;
  }
  return readAgentStamps((counters['agent'] as { setupStamps?: unknown } | undefined)?.setupStamps);
}

/** Joins one relay path's counters into step summaries; undefined when no setup could be joined. */
export function setupBreakdownOf(counters: Record<string, unknown>): SetupBreakdown | undefined {
  const forwarder = readForwarderStamps((counters['forwarder'] as { setupStamps?: unknown } | undefined)?.setupStamps);
  if (forwarder.length === 0) return undefined;
  const { steps, unmatched, disordered } = joinSetupSteps(forwarder, agentStampsOf(counters));
  if (steps.length === 0) return undefined;
  const summary = (key: keyof SetupSteps): LatencySummary => {
    const histogram = createLatencyHistogram();
    for (const s of steps) recordUs(histogram, s[key]);
    return summarize(histogram);
  };
  return {
    steps: Object.fromEntries(SETUP_STEP_KEYS.map((key) => [key, summary(key)])) as SetupBreakdown['steps'],
    joined: steps.length,
    unmatched,
    disordered,
  };
}

/** Table lines per relay path with joined setups (empty when there are none). */
export function setupBreakdownLines(pathCounters: Record<string, Record<string, unknown>>): string[] {
  const lines: string[] = [];
  for (const [pathId, counters] of Object.entries(pathCounters)) {
    const breakdown = setupBreakdownOf(counters);
    if (breakdown === undefined) continue;
    const rows = SETUP_STEP_KEYS.map((key) => [
      key === 'totalUs' ? 'local accept → first response byte' : SETUP_STEP_LABELS[key],
      `${formatUs(breakdown.steps[key].p50Us)} / ${formatUs(breakdown.steps[key].p99Us)}`,
    ]);
    const left = breakdown.unmatched + breakdown.disordered === 0 ? '' : `; ${breakdown.unmatched} not joined, ${breakdown.disordered} out of order`;
    lines.push(`${pathId} connection setup in steps (p50 / p99 of the last ${breakdown.joined} connections${left}; shared monotonic clock across processes)`);
    lines.push(renderTable([['step', 'p50 / p99'], ...rows]));
  }
  return lines;
}
