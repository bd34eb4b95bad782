// The emulation-error lines every report shows next to the overhead (metrics/emulation.ts): per
// path, how much the emulated network added beyond the configured distance, or why it was not
// measured. Pure: returns lines of text.

import { describeEmulation } from '../metrics/emulation.js';
import type { RunResult } from '../metrics/result.js';

/** One line per path; a result from before the field existed says so once. */
export function emulationLines(result: RunResult): string[] {
  if (result.emulation === undefined) return ['emulation error: not recorded in this result (written before hcbench measured it)'];
  return Object.entries(result.emulation).map(([pathId, e]) => describeEmulation(pathId, e));
}
