// Documented Azure Relay / App Service Hybrid Connection limits, and the warnings a scenario gets
// before it runs when it asks for more. Pure: the numbers are inputs with documented defaults,
// not facts baked into logic; the emulator enforces its own 25-listener quota and reports refusals.

import type { Scenario } from '../scenario/schema.js';

/** Limits a relay path runs into. Defaults: the documented Azure figures at the time of writing. */
export interface RelayLimits {
  /** Listeners (agents) per hybrid connection. Default 25. */
  listenersPerHybridConnection: number;
  /** Concurrent relayed connections per Relay namespace. Default 5000. */
  connectionsPerNamespace: number;
  /** Hybrid connections one App Service plan may use (Basic 5, Standard 25, Premium/Isolated 220). Default 25 (Standard). */
  hybridConnectionsPerPlan: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  listenersPerHybridConnection: 25,
  connectionsPerNamespace: 5_000,
  hybridConnectionsPerPlan: 25,
};

/** The workloads of a scenario, one list. */
function workloadsOf(scenario: Scenario): NonNullable<Scenario['workloads']> {
  return scenario.workloads ?? (scenario.workload === undefined ? [] : [scenario.workload]);
}

/** Most connections a workload may hold open at once (its `connections`, or a matrix's largest value). */
export function peakConnections(workload: NonNullable<Scenario['workloads']>[number]): number {
  const base = 'connections' in workload && typeof workload.connections === 'number' ? workload.connections : 1;
  const swept = (workload.matrix?.['connections'] ?? []).filter((v): v is number => typeof v === 'number');
  return Math.max(base, ...swept);
}

/** Lower-case warnings, one per limit the scenario exceeds; empty when it fits. */
export function checkRelayLimits(scenario: Scenario, limits: RelayLimits = DEFAULT_RELAY_LIMITS): string[] {
  const warnings: string[] = [];
  const relayPaths = scenario.paths.filter((p) => p.kind !== 'direct');
  if (relayPaths.length === 0) return warnings;
  for (const path of relayPaths) {
    const agents = path.kind === 'relay-emulated' ? path.agents : 1;
    if (agents > limits.listenersPerHybridConnection) {
      warnings.push(
        `path ${path.id ?? path.kind}: ${agents} listeners on one hybrid connection, more than the ${limits.listenersPerHybridConnection} Azure allows; the extra listeners are refused (counted as listen errors)`,
      );
    }
  }
  const peak = Math.max(0, ...workloadsOf(scenario).map(peakConnections));
  for (const path of relayPaths) {
    // The emulator enforces its namespace quota (Azure's 5,000 unless the path lowers it).
    const quota = path.kind === 'relay-emulated' ? Math.min(path.maxConnections, limits.connectionsPerNamespace) : limits.connectionsPerNamespace;
    if (peak > quota) {
      warnings.push(
        `path ${path.id ?? path.kind}: up to ${peak} concurrent relayed connections, more than the ${quota} the namespace allows; connections beyond it are refused (relay-403 QuotaExceeded, counted as errors)`,
      );
    }
  }
  if (relayPaths.length > limits.hybridConnectionsPerPlan) {
    warnings.push(`${relayPaths.length} hybrid connections, more than the ${limits.hybridConnectionsPerPlan} one App Service plan may use`);
  }
  return warnings;
}
