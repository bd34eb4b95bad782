// Warnings a reader of any report must see: the run's status, failed steps, errors, dropped work
// and statistics the generator's own timing error spoils (marked untrusted). Pure; lower-case
// lines without a final full stop.

import type { ErrorKind, RunResult } from '../metrics/result.js';
import { HYCO_WS_MASKING_KEY, JAVASCRIPT_MASKING_WARNING } from '../net/frame-masking.js';

/** Steps with untrusted statistics listed one by one up to this many; beyond, one summary line. */
export const MAX_INVALID_LINES = 3;

/** Every finding worth a warning: run status, then per step in order, then invalid generators. */
export function collectWarnings(result: RunResult): string[] {
  const warnings: string[] = [];
  const invalid: string[] = [];
  if (result.status === 'aborted') {
    const reason = result.abortReason;
    warnings.push(reason === undefined || reason === 'interrupted' ? 'run interrupted: results are partial' : `run aborted (${reason}): results are partial`);
  }
  // Results written before the key existed say nothing: no warning for them.
  const masking = result.environment.libraries[HYCO_WS_MASKING_KEY];
  const hasRelay = result.steps.some((step) => step.pathKind !== 'direct');
  if (masking === 'javascript' && hasRelay) warnings.push(JAVASCRIPT_MASKING_WARNING);
  for (const step of result.steps) {
    const where = step.repetition === undefined || step.repetition === 0 ? step.stepId : `${step.stepId} #${step.repetition}`;
    if (step.status === 'failed') {
      warnings.push(`${where} failed: ${step.error.code} ${step.error.message}`);
      continue;
    }
    if (step.status === 'aborted') warnings.push(`${where} aborted (${step.reason}): partial metrics`);
    const { counters, generator } = step.metrics;
    const errors = Object.entries(counters.errors) as [ErrorKind, number][];
    if (errors.length > 0) warnings.push(`${where}: errors ${errors.map(([kind, n]) => `${kind}=${n}`).join(', ')}`);
    if (counters.transactions === 0) warnings.push(`${where}: no transaction completed in the measured window (nothing to compare)`);
    if ((counters.dropped ?? 0) > 0) warnings.push(`${where}: ${counters.dropped} arrivals dropped (no free slot, or the queue was full)`);
    if (generator !== undefined && !generator.isValid) {
      const keys = generator.untrusted ?? [];
      invalid.push(`${where}: untrusted (generator timing error too large for them): ${keys.length > 0 ? keys.join(', ') : generator.invalidReasons.join('; ')}`);
    }
  }
  // Many invalid steps (a busy machine) would bury everything else: one line, with the first as example.
  if (invalid.length > MAX_INVALID_LINES) {
    const measured = result.steps.filter((s) => s.status !== 'failed').length;
    warnings.push(`untrusted statistics in ${invalid.length} of ${measured} steps, e.g. ${invalid[0]}`);
  } else warnings.push(...invalid);
  return warnings;
}
