// Accuracy of injected network delays through the very structure a run uses (emulation-truth.ts):
// the direct path's delay proxy in an on-prem role process (2 traversals per round trip) and the
// relay path's timed legs through forwarder, cloud and agent processes (4 traversals), driven by
// the tcp-request-response workload. Each delay is the p50 round trip with it minus the p50 of the
// same mechanism at zero distance, in alternating rounds, divided by the traversals; so calibrate
// and the bench's `truth` entry measure one mechanism the same way.

import { measureTruth, type TruthFigures } from './emulation-truth.js';
import type { DelayAccuracy, DelayMechanism } from '../metrics/calibration-result.js';

export interface DelayAccuracyOptions {
  /** Shorter windows (about a third of the time); figures are noisier. */
  isQuick?: boolean;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

function accuracy(mechanism: DelayMechanism, injectedMs: number, f: TruthFigures): DelayAccuracy {
  const isDirect = mechanism === 'direct-delay-proxy';
  const traversals = isDirect ? 2 : 4;
  const withUs = isDirect ? f.p50Us.direct : f.p50Us.relay;
  const withoutUs = isDirect ? f.p50Us.directLoopback : f.p50Us.relayLoopback;
  const floorWithUs = isDirect ? f.minUs.direct : f.minUs.relay;
  const floorWithoutUs = isDirect ? f.minUs.directLoopback : f.minUs.relayLoopback;
  const measuredPerLegUs = Math.round((withUs - withoutUs) / traversals);
  const errorUs = measuredPerLegUs - injectedMs * 1000;
  return {
    mechanism,
    injectedMs,
    traversalsPerRoundTrip: traversals,
    samples: isDirect ? f.roundTrips.direct : f.roundTrips.relay,
    measuredPerLegUs,
    errorUs,
    errorPercent: Math.round((Math.abs(errorUs) / (injectedMs * 1000)) * 10_000) / 100,
    floorErrorUs: Math.round((floorWithUs - floorWithoutUs) / traversals - injectedMs * 1000),
  };
}

/** Every injected delay (ms per leg) on both mechanisms; direct ones first, then the relay legs. */
export async function measureDelayAccuracy(delaysMs: readonly number[], options: DelayAccuracyOptions = {}): Promise<DelayAccuracy[]> {
  const direct: DelayAccuracy[] = [];
  const relay: DelayAccuracy[] = [];
  for (const ms of delaysMs) {
    // Enough round trips per window at every delay: a 20 ms leg makes an 80 ms relay round trip.
    const windowMs = Math.max(options.isQuick === true ? 400 : 1000, (options.isQuick === true ? 6 : 12) * 4 * ms);
    const figures = await measureTruth(
      { appToRelayMs: ms, relayToAgentMs: ms, directMs: ms },
      // Six rounds when not quick: two rounds of ~50 relay round trips at 5 ms disagreed with the bench's `truth` entry by up to 65 µs per traversal (issue #12).
      { windowMs, loopbackWindowMs: options.isQuick === true ? 400 : 1000, warmupMs: 200, rounds: options.isQuick === true ? 2 : 6, ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) },
    );
    direct.push(accuracy('direct-delay-proxy', ms, figures));
    relay.push(accuracy('relay-legs', ms, figures));
  }
  return [...direct, ...relay];
}
