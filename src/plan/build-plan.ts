// Scenario -> Plan: resolves the network profile, expands every workload's matrix into variants,
// applies duration overrides, and orders the steps (paths alternated across repetitions so that
// drift on a shared machine hits both). Pure: no sockets, no clock.

import type { PathKind } from '../metrics/result.js';
import { BUILTIN_NETWORK_PROFILES, directHandshakeRoundTrips, relayHandshakeRoundTrips, type LegProfile, type NetworkProfile } from '../scenario/network-profiles.js';
import type { FAULT_ACTIONS, Scenario, ScenarioNetworkProfile } from '../scenario/schema.js';
import type { ScenarioWorkload, WorkloadExtras } from '../scenario/schema-workloads.js';
import type { WorkloadParams } from '../workloads/types.js';
import { expandMatrix, variantLabel } from '../scenario/matrix.js';
import { workloadList } from '../scenario/workload-list.js';
import { regionProfile, type RegionResolution } from '../scenario/region-network.js';

/** One network path of the run, with the delays its legs get. */
export type PlannedPath =
  | { id: string; kind: 'direct'; direct: LegProfile; /** Round trips of the leg a new connection pays before the target sees it (TCP). */ handshakeRoundTrips: number }
  | { id: string; kind: 'relay-emulated'; appToRelay: LegProfile; relayToAgent: LegProfile; /** Round trips of its leg each new WebSocket to the relay pays (TCP + TLS). */ handshakeRoundTrips: number; agents: number; faults: PlannedFault[]; clientStack: ClientStack; maxConnections: number; /** Set when the path has its own `relayRegion`: its legs and where they came from. */ regions?: RegionResolution }
  | { id: string; kind: 'relay-azure'; connectionStringEnv: string; clientStack: ClientStack; /** Dress rehearsal against the emulator answering as this host: not Azure. */ rehearsal?: string; /** Rehearsal: hybrid connection name (default `hcbench`). */ rehearsalHybridConnection?: string; /** Name mappings for the endpoints' sockets. */ resolve?: string[] };

/** Namespace host a `rehearsal: true` path answers as. */
export const DEFAULT_REHEARSAL_HOST = 'hcbench-rehearsal.servicebus.windows.net';

/** WebSocket client library of the forwarder and agent. */
export type ClientStack = 'hyco-ws' | 'ws8';

/** A fault injected `atMs` after each step on the path starts. */
export interface PlannedFault {
  atMs: number;
  action: (typeof FAULT_ACTIONS)[number];
  agent?: number;
}

/** One workload variant run once on one path. */
export interface PlannedStep {
  /** `<workload id>[<variant>]@<path id>`: equal across repetitions. */
  id: string;
  workloadId: string;
  pathId: string;
  pathKind: PathKind;
  /** 0-based. */
  repetition: number;
  workload: WorkloadParams;
  /** The matrix values of this variant; empty without a matrix. */
  variant: Record<string, unknown>;
  warmupMs: number;
  durationMs: number;
}

export interface Plan {
  scenarioName: string;
  target: Scenario['target'];
  network: PlannedNetwork;
  paths: PlannedPath[];
  /** Steps in execution order. */
  steps: PlannedStep[];
  /** Sum of warm-up and measured time over all steps, milliseconds. */
  estimatedDurationMs: number;
}

/** The network profile of a plan; `regions` says where a region-based profile's legs came from. */
export interface PlannedNetwork {
  name: string;
  profile: NetworkProfile;
  regions?: RegionResolution;
}

export interface PlanOverrides {
  /** Replaces every step's `durationMs` (e.g. for a quick smoke run). */
  durationMs?: number;
  /** Replaces every step's `warmupMs`. */
  warmupMs?: number;
  /** Replaces the scenario's `repetitions`. */
  repetitions?: number;
}

const ZERO_LEG: LegProfile = { oneWayDelayMs: 0, jitterMs: 0, bandwidthBytesPerSec: 0 };

/** The network profile the scenario names (or defines inline), with absent legs at zero delay. */
export function resolveNetwork(scenario: Scenario): PlannedNetwork {
  if (typeof scenario.network === 'string') {
    const builtin = BUILTIN_NETWORK_PROFILES[scenario.network];
    if (builtin !== undefined) return { name: scenario.network, profile: builtin };
    const custom = scenario.networkProfiles?.[scenario.network];
    // Validation guarantees the name exists; fall back to zero delays defensively.
    return { name: scenario.network, ...completeProfile(custom ?? { description: '' }) };
  }
  return { name: 'inline', ...completeProfile(scenario.network) };
}

function completeProfile(profile: ScenarioNetworkProfile): { profile: NetworkProfile; regions?: RegionResolution } {
  const handshakes = profile.handshakes === undefined ? {} : { handshakes: profile.handshakes };
  if (profile.azure !== undefined && profile.site !== undefined) {
    const resolved = regionProfile({ ...profile, azure: profile.azure, site: profile.site });
    return { ...resolved, profile: { ...resolved.profile, ...handshakes } };
  }
  return { profile: {
    description: profile.description,
    direct: profile.direct ?? ZERO_LEG,
    appToRelay: profile.appToRelay ?? ZERO_LEG,
    relayToAgent: profile.relayToAgent ?? ZERO_LEG,
    ...handshakes,
  } };
}

/** The legs of the scenario's region-based network with the relay in `relayRegion` (validation guarantees the network is region-based). */
function relayPlacement(scenario: Scenario, relayRegion: string): { profile: NetworkProfile; regions?: RegionResolution } | undefined {
  const profile = typeof scenario.network === 'string' ? scenario.networkProfiles?.[scenario.network] : scenario.network;
  if (profile?.azure === undefined || profile.site === undefined) return undefined;
  return regionProfile({ ...profile, azure: profile.azure, site: profile.site }, relayRegion);
}

export function buildPlan(scenario: Scenario, overrides: PlanOverrides = {}): Plan {
  const network = resolveNetwork(scenario);
  const paths: PlannedPath[] = scenario.paths.map((path) => {
    const id = path.id ?? path.kind;
    switch (path.kind) {
      case 'direct':
        return { id, kind: 'direct', direct: path.direct ?? network.profile.direct, handshakeRoundTrips: directHandshakeRoundTrips(network.profile.handshakes) };
      case 'relay-emulated': {
        const own = path.relayRegion === undefined ? undefined : relayPlacement(scenario, path.relayRegion);
        return {
          id,
          kind: 'relay-emulated',
          appToRelay: own?.profile.appToRelay ?? path.appToRelay ?? network.profile.appToRelay,
          relayToAgent: own?.profile.relayToAgent ?? path.relayToAgent ?? network.profile.relayToAgent,
          handshakeRoundTrips: relayHandshakeRoundTrips(network.profile.handshakes),
          agents: path.agents,
          clientStack: path.clientStack,
          maxConnections: path.maxConnections,
          faults: (path.faults ?? []).map((f) => ({ atMs: f.atMs, action: f.action, ...(f.agent === undefined ? {} : { agent: f.agent }) })),
          ...(own?.regions === undefined ? {} : { regions: own.regions }),
        };
      }
      case 'relay-azure':
        return {
          id,
          kind: 'relay-azure',
          connectionStringEnv: path.connectionStringEnv,
          clientStack: path.clientStack,
          ...(path.rehearsal === undefined ? {} : { rehearsal: path.rehearsal === true ? DEFAULT_REHEARSAL_HOST : path.rehearsal.toLowerCase() }),
          ...(path.resolve === undefined || path.resolve.length === 0 ? {} : { resolve: path.resolve }),
        };
    }
  });
  const repetitions = overrides.repetitions ?? scenario.repetitions;
  const workloads: ScenarioWorkload[] = workloadList(scenario);
  const steps: PlannedStep[] = [];
  for (const workload of workloads) {
    const { id, durationMs, warmupMs, matrix, ...params } = workload;
    const workloadId = id ?? workload.kind;
    for (const variant of expandMatrix(matrix)) {
      const resolved = { ...params, ...variant } as Omit<ScenarioWorkload, WorkloadExtras> as WorkloadParams;
      for (let repetition = 0; repetition < repetitions; repetition++) {
        const isReversed = scenario.order === 'alternate' && repetition % 2 === 1;
        const ordered = isReversed ? [...paths].reverse() : paths;
        for (const path of ordered) {
          steps.push({
            id: `${workloadId}${variantLabel(variant)}@${path.id}`,
            workloadId,
            pathId: path.id,
            pathKind: path.kind,
            repetition,
            workload: resolved,
            variant,
            warmupMs: overrides.warmupMs ?? warmupMs ?? scenario.warmupMs,
            durationMs: overrides.durationMs ?? durationMs ?? scenario.durationMs,
          });
        }
      }
    }
  }
  primeFirstStepOnEachPath(steps);
  return {
    scenarioName: scenario.name,
    target: scenario.target,
    network,
    paths,
    steps,
    estimatedDurationMs: steps.reduce((sum, step) => sum + step.warmupMs + step.durationMs, 0),
  };
}

/**
 * Least warm-up of the first step on each path, ms. Measured (A vs A, two and three identical
 * direct paths, 8 repetitions of 100 ms warm-up + 400 ms): the run's first step had p50 27–92 µs
 * and mean 51–230 µs against 24 µs / 28 µs steady, the second and third steps still 26–41 µs; the
 * processes (generator, target, relay roles) take ~1.5 s of traffic to reach steady state. Always
 * on the baseline (it runs first), that cold start biased relay − direct downwards.
 */
export const PATH_PRIMING_MS = 1_500;

/** Raises the warm-up of the first step on every path to PATH_PRIMING_MS, so no path is measured cold. */
function primeFirstStepOnEachPath(steps: PlannedStep[]): void {
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.pathId)) continue;
    seen.add(step.pathId);
    step.warmupMs = Math.max(step.warmupMs, PATH_PRIMING_MS);
  }
}
