// The emulation-error lines every report shows next to the overhead (metrics/emulation.ts): per
// path, how much the emulated network added beyond the configured distance, or why it was not
// measured. Pure: returns lines of text.

import type { EmulationError } from '../metrics/emulation.js';
import type { RunResult } from '../metrics/result.js';

/** One line per path; a result from before the field existed says so once. */
export function emulationLines(result: RunResult): string[] {
  if (result.emulation === undefined) return ['emulation error: not recorded in this result (written before hcbench measured it)'];
  return Object.entries(result.emulation).map(([pathId, e]) => describeEmulation(pathId, e));
}

/** One line for reports, e.g. `relay-emulated: emulation error +24 µs per round trip (4 delayed traversals × mean 6 µs; …)`. */
export function describeEmulation(pathId: string, e: EmulationError): string {
  if (!e.measured || e.perTraversalErrorUs === undefined) return `${pathId}: emulation error not measured (${e.reason ?? 'unknown'})`;
  const t = e.perTraversalErrorUs;
  const release =
    `release lateness +${e.roundTripErrorUs ?? 0} µs per round trip (${e.traversalsPerRoundTrip} delayed traversals × mean ${t.mean} µs; ` +
    `per traversal p50 ${t.p50} µs, p99 ${t.p99} µs, ${t.count.toLocaleString('en-US')} traversals) on ${e.configuredRoundTripMs} ms configured`;
  const c = e.calibrated;
  return c === undefined
    ? `${pathId}: emulation error: ${release}; hand-offs into idle processes not included (not calibrated: give \`run --calibration\` the figures of \`hcbench calibrate --save\`)`
    : `${pathId}: emulation error ${c.roundTripErrorUs >= 0 ? '+' : ''}${c.roundTripErrorUs} µs per round trip (calibrated at ${c.injectedMs} ms per leg: ` +
        `${c.perTraversalErrorUs >= 0 ? '+' : ''}${c.perTraversalErrorUs} µs per traversal, ${c.measuredAt}); of it ${release}`;
}
