// Azure Relay / App Service Hybrid Connection limits: the one home of these numbers. The emulator
// (src/relay) enforces them, the scenario schema defaults to them, and the planner (capacity,
// paths) warns and sizes against them.

/** Limits a relay path runs into. Defaults: the documented Azure figures at the time of writing. */
export interface RelayLimits {
  /** Listeners (agents) per hybrid connection. Default 25. */
  listenersPerHybridConnection: number;
  /** Concurrent relayed connections per Relay namespace. Default 5000. */
  connectionsPerNamespace: number;
  /** Hybrid connections one App Service plan may use (Basic 5, Standard 25, Premium/Isolated 220). Default 25 (Standard). */
  hybridConnectionsPerPlan: number;
}

/** The documented Azure figures (Standard App Service plan). */
export const DEFAULT_RELAY_LIMITS: Readonly<RelayLimits> = Object.freeze({
  listenersPerHybridConnection: 25,
  connectionsPerNamespace: 5_000,
  hybridConnectionsPerPlan: 25,
});
