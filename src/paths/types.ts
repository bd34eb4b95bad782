// What a network path looks like to the runner: an address to dial, a way to read the counters of
// the components on it, and a close. Workloads see only `dialAddress`.

import type { PathKind } from '../metrics/result.js';
import type { DialAddress } from '../workloads/types.js';

export interface OpenPath {
  id: string;
  kind: PathKind;
  /** Where the workload connects. */
  dialAddress: DialAddress;
  /** Process id (or "app") of each component on this path, for the result's environment. */
  components: Record<string, string>;
  /** Process ids of role processes this path started (e.g. `cloud`). */
  rolePids: Record<string, number>;
  /** Counters of the path's components (relay, agent, forwarder); absent for the direct path. */
  readCounters?: () => Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
