// The direct path: the workload dials the target itself (stands for VNet integration).
// Nothing is started here; the target lives in the on-prem process of the topology.

import type { DialAddress } from '../workloads/types.js';
import type { OpenPath } from './types.js';

export function openDirectPath(id: string, target: DialAddress): OpenPath {
  return {
    id,
    kind: 'direct',
    dialAddress: { ...target },
    components: {},
    rolePids: {},
    close: async () => {},
  };
}
