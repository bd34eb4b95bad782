// One shard of a plan (`hcbench run --shard I/N`), like k6's execution segments: every step's
// connections, open-model rates and arrivals are divided so that the N slices add up to the whole
// scenario. Integer amounts (connections, in-flight and queue bounds) give their remainder to the
// first shards, one each; rates follow the connections (each connection keeps the rate it has in
// the whole run), and the last shard with connections takes what the others left, so the rates add
// up too. A shard whose share of a step is 0 connections gets an empty step (it says so). Pure.

import { createHash } from 'node:crypto';
import type { Plan, PlannedStep } from './build-plan.js';
import type { LoadModel, WorkloadParams } from '../workloads/types.js';
import { canonicalJson } from '../canonical-json.js';

/** Which slice of the scenario a run measures: shard `index` (1-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Most shards of one scenario. */
export const MAX_SHARDS = 1024;

/** The share of an integer total for shard `index` (1-based) of `count`: remainder one each to the first shards. */
export function shareOf(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index - 1 < total % count ? 1 : 0);
}

/** The share of a real amount that follows connection shares: proportional, the last non-empty shard taking the rest. */
function rateShare(total: number, connections: number, spec: ShardSpec): number {
  const mine = shareOf(connections, spec.index, spec.count);
  if (mine === 0) return 0;
  const lastWithConnections = connections >= spec.count ? spec.count : connections;
  if (spec.index < lastWithConnections) return (total * mine) / connections;
  let others = 0;
  for (let i = 1; i < spec.index; i++) others += (total * shareOf(connections, i, spec.count)) / connections;
  return Math.max(0, total - others);
}

function sliceLoad<L extends LoadModel | { model: 'as-recorded' }>(load: L | undefined, connections: number, spec: ShardSpec): L | undefined {
  if (load === undefined || load.model !== 'open') return load;
  const open = load as LoadModel & { model: 'open' };
  const sliced: LoadModel = {
    ...open,
    ratePerSec: rateShare(open.ratePerSec, connections, spec),
    ...(open.stages === undefined ? {} : { stages: open.stages.map((s) => ({ ...s, targetRatePerSec: rateShare(s.targetRatePerSec, connections, spec) })) }),
    // Poisson streams of different shards must differ, as generator threads' do (seed + thread).
    seed: (open.seed ?? 1) + (spec.index - 1) * 1000,
    ...(open.maxInFlight === undefined ? {} : { maxInFlight: Math.max(1, shareOf(open.maxInFlight, spec.index, spec.count)) }),
    ...(open.maxQueue === undefined ? {} : { maxQueue: Math.max(1, shareOf(open.maxQueue, spec.index, spec.count)) }),
  };
  return sliced as L;
}

/** Connections of a step in the whole scenario (what is divided), or undefined when it cannot be divided. */
function connectionsOf(params: WorkloadParams): number | undefined {
  if (params.kind === 'tcp-stream') return params.connections ?? 1;
  if (params.kind === 'replay') return typeof params.connections === 'number' && params.load?.model !== 'as-recorded' ? params.connections : undefined;
  return params.connections;
}

/** The params of this shard's slice of a step, or undefined for a 0-connection share. */
function sliceParams(params: WorkloadParams, connections: number, spec: ShardSpec): WorkloadParams | undefined {
  const mine = shareOf(connections, spec.index, spec.count);
  if (mine === 0) return undefined;
  switch (params.kind) {
    case 'tcp-request-response':
    case 'connection-churn':
    case 'dialog': {
      const load = sliceLoad(params.load, connections, spec);
      const generators = params.generators === undefined ? {} : { generators: Math.min(params.generators, mine) };
      return { ...params, connections: mine, ...generators, ...(load === undefined ? {} : { load }) } as WorkloadParams;
    }
    case 'http':
      return { ...params, connections: mine, ...(params.ratePerSec === undefined ? {} : { ratePerSec: rateShare(params.ratePerSec, connections, spec) }) };
    case 'tcp-stream': {
      // The latency probe is one connection of the whole scenario: shard 1 runs it.
      const { probe, ...rest } = params;
      return { ...rest, connections: mine, ...(probe === undefined || spec.index !== 1 ? {} : { probe }) };
    }
    case 'replay': {
      const load = sliceLoad(params.load, connections, spec);
      return { ...params, connections: mine, ...(load === undefined ? {} : { load }) };
    }
  }
}

/** Why a step cannot be sharded, or undefined when it can. */
export function unshardableReason(step: PlannedStep): string | undefined {
  if (connectionsOf(step.workload) !== undefined) return undefined;
  return `step ${step.id}: a replay with \`connections: as-recorded\` or \`load: as-recorded\` replays the trace's own arrivals, which cannot be divided between shards; give it \`connections: <n>\` and a closed or open load`;
}

/** A step of a shard: its slice of the workload, or `emptyShare` saying why this shard runs nothing in it. */
export type ShardedStep = PlannedStep & { emptyShare?: string };

/**
 * Shard `spec` of `plan`. `1/1` returns `plan` itself (byte for byte today's plan). Throws a
 * RangeError naming the step when a step cannot be divided (see unshardableReason).
 */
export function slicePlan(plan: Plan, spec: ShardSpec): Plan & { steps: ShardedStep[] } {
  if (spec.count === 1) return plan;
  const steps = plan.steps.map((step): ShardedStep => {
    const connections = connectionsOf(step.workload);
    if (connections === undefined) throw new RangeError(unshardableReason(step));
    const workload = sliceParams(step.workload, connections, spec);
    if (workload !== undefined) return { ...step, workload };
    return { ...step, workload: { ...step.workload, connections: 0 } as WorkloadParams, emptyShare: `shard ${spec.index}/${spec.count} has 0 of this step's ${connections} connection${connections === 1 ? '' : 's'}: it ran an empty step` };
  });
  return { ...plan, steps };
}

/** The fingerprint of a whole (unsliced) plan: sha256 of its canonical JSON, hex. Shards of one run have equal fingerprints. */
export function planFingerprint(plan: Plan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}
