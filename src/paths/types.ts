// What a network path looks like to the runner: an address to dial, a way to read the counters of
// the components on it, and a close. Workloads see only `dialAddress`.

import type { PathKind } from '../metrics/result.js';
import type { PlannedFault } from '../plan/build-plan.js';
import type { DialAddress } from '../workloads/types.js';

export interface OpenPath {
  id: string;
  kind: PathKind;
  /** Where the workload connects. */
  dialAddress: DialAddress;
  /**
   * The path's configured (emulated) network round trip, µs, when hcbench adds the distance itself;
   * absent on paths whose distance is real (relay-azure, tunnel endpoints) or zero.
   */
  configuredRoundTripUs?: number;
  /** Process id (or "app") of each component on this path, for the result's environment. */
  components: Record<string, string>;
  /** Process ids of role processes this path started (e.g. `cloud`). */
  rolePids: Record<string, number>;
  /** Counters of the path's components (relay, agent, forwarder); absent for the direct path. */
  readCounters?: () => Promise<Record<string, unknown>>;
  /** Injects a fault (relay paths on the emulator); resolves once it took effect. */
  injectFault?: (fault: PlannedFault) => Promise<void>;
  /** Undoes every fault (restarts stopped agents, clears relay faults) before the next step. */
  resetFaults?: () => Promise<void>;
  close(): Promise<void>;
}
