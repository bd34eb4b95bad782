// The fault events of a run (what was injected and undone, when, how long it took, whether it
// failed) as table rows shared by the console, Markdown and HTML reports. Pure.

import type { RunResult } from '../metrics/result.js';

/** Header of the fault-events table. */
export const FAULT_EVENT_HEADER = ['step', 'fault', 'phase', 'planned ms', 'fired ms', 'took ms', 'outcome'] as const;

/** One row per fault event, in step order then firing order; empty when no step had faults. */
export function faultEventRows(result: RunResult): string[][] {
  return result.steps.flatMap((step) =>
    (step.faultEvents ?? []).map((event) => [
      step.stepId,
      event.agent === undefined ? event.action : `${event.action} ${event.agent}`,
      event.phase,
      String(event.atMs),
      String(event.firedAtMs),
      String(event.tookMs),
      event.outcome === 'ok' ? 'ok' : `failed: ${event.error ?? 'unknown'}`,
    ]),
  );
}
