// The per-statistic trust mark of the text and HTML reports: a figure the generator's own timing
// error spoils (analysis/statistic-trust.ts) is shown with a dagger, and a legend says what it
// means. JSON carries the same marks as `metrics.generator.untrusted`. Pure.

import { isMarkedUntrusted } from '../analysis/statistic-trust.js';
import type { StepResult } from '../metrics/result.js';

/** Appended to an untrusted figure. */
export const UNTRUSTED_MARK = '†';

/** The legend line shown under tables with marked figures. */
export const TRUST_LEGEND =
  `${UNTRUSTED_MARK} untrusted: the load generator's own timing error at that rank exceeds the figure's tolerance (max(25 % of it, 200 µs)); see README "Validity"`;

type Measured = Extract<StepResult, { metrics: unknown }>;

/** True when any repetition of `key@pathId` marked `metric.stat` untrusted. */
export function isUntrustedIn(steps: readonly StepResult[], key: string, pathId: string, metric: string, stat: string): boolean {
  return steps.some(
    (s): boolean => s.status !== 'failed' && s.pathId === pathId && s.stepId.startsWith(`${key}@`) && isMarkedUntrusted((s as Measured).metrics, metric, stat),
  );
}

/** `text` with the mark appended when the statistic is untrusted on that path. */
export function marked(text: string, isUntrusted: boolean): string {
  return isUntrusted ? `${text} ${UNTRUSTED_MARK}` : text;
}

/** True when any step of the result has an untrusted statistic (the reports then print the legend). */
export function hasUntrusted(steps: readonly StepResult[]): boolean {
  return steps.some((s) => s.status !== 'failed' && (s.metrics.generator?.untrusted?.length ?? 0) > 0);
}
