// Registry of workload drivers by `kind`: the runner looks drivers up here and nowhere else.

import type { Workload, WorkloadParams } from './types.js';
import { tcpRequestResponse } from './tcp-request-response.js';

/** Every driver, keyed by its `kind`; each entry accepts exactly its own parameter type. */
export type WorkloadRegistry = { [K in WorkloadParams['kind']]: Workload<Extract<WorkloadParams, { kind: K }>> };

/** The drivers hcbench ships. */
export const workloads: WorkloadRegistry = {
  'tcp-request-response': tcpRequestResponse,
};
