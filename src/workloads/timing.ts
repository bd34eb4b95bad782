// Describes, for the result, which load model timed a step's latencies and from where.
// Pure: no clocks or sockets.

import type { StepTiming } from '../metrics/result.js';
import type { LoadModel } from './types.js';

/** The result's `timing` for a load model: closed = from dispatch, open = from the intended start. */
export function describeTiming(load: LoadModel): StepTiming {
  if (load.model === 'closed') return { model: 'closed', latencyFrom: 'dispatch', coordinatedOmissionCorrection: 'none' };
  return {
    model: 'open',
    latencyFrom: 'intended',
    coordinatedOmissionCorrection: 'none',
    arrivals: load.arrivals ?? 'constant',
    ratePerSec: load.ratePerSec,
    whenBehind: load.whenBehind ?? 'queue',
  };
}
