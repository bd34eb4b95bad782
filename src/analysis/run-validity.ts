// Whether a run is valid evidence: a generator that fell behind makes latencies untrustworthy, so
// such a run gets its own exit code (7), distinct from failed thresholds and regressions. Pure.

import type { RunResult } from '../metrics/result.js';

/** Why the run is invalid, one lower-case line per step; empty when the run is valid. */
export function invalidRunReasons(result: RunResult): string[] {
  const reasons: string[] = [];
  for (const step of result.steps) {
    if (step.status === 'failed') continue;
    const generator = step.metrics.generator;
    if (generator === undefined || generator.isValid) continue;
    const where = (step.repetition ?? 0) === 0 ? step.stepId : `${step.stepId} #${step.repetition}`;
    reasons.push(`${where}: generator fell behind (${generator.invalidReasons.join('; ') || 'no reason recorded'})`);
  }
  return reasons;
}
