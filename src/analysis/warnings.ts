// Warnings a reader of any report must see: the run's status, failed steps, errors, dropped work
// and an invalid generator. Pure; lower-case lines without a final full stop.

import type { ErrorKind, RunResult } from '../metrics/result.js';

/** Every finding worth a warning, in step order. */
export function collectWarnings(result: RunResult): string[] {
  const warnings: string[] = [];
  if (result.status === 'aborted') warnings.push('run interrupted: results are partial');
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
    if ((counters.dropped ?? 0) > 0) warnings.push(`${where}: ${counters.dropped} arrivals dropped (generator behind)`);
    if (generator !== undefined && !generator.isValid) {
      warnings.push(`${where}: generator invalid — ${generator.invalidReasons.join('; ') || 'fell behind'}`);
    }
  }
  return warnings;
}
