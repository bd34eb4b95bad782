// The warnings a scenario gets before it runs when it asks for more than Azure's limits
// (src/azure/limits.ts) allow. Pure: the limits are an input defaulting to the documented figures;
// the emulator enforces the same numbers and reports refusals.

import { DEFAULT_RELAY_LIMITS, type RelayLimits } from '../azure/limits.js';
import type { Scenario } from '../scenario/schema.js';
import { workloadList } from '../scenario/workload-list.js';

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
  const peak = Math.max(0, ...workloadList(scenario).map(peakConnections));
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
