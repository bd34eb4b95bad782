// The fault events of a run (what was injected and undone, when, how long it took, whether it
// failed) as table rows shared by the console, Markdown and HTML reports. Pure.

import type { FaultEvent, RunResult } from '../metrics/result.js';

/** Header of the fault-events table. */
export const FAULT_EVENT_HEADER = ['step', 'fault', 'phase', 'planned ms', 'fired ms', 'took ms', 'outcome', 'window after', 'recovered after'] as const;

/** `1200 ms: 35 ok, reset 2, closed 1` — the transactions and errors by kind after an injection. */
export function describeEffect(event: FaultEvent): string {
  if (event.effect === undefined) return '';
  const errors = Object.entries(event.effect.errors).sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`);
  return `${event.effect.windowMs} ms: ${event.effect.transactions} ok${errors.length === 0 ? ', no errors' : `, ${errors.join(', ')}`}`;
}

/** `85 ms`, `not within the step` (the fault held), or empty when not observed. */
export function describeRecovery(event: FaultEvent): string {
  if (event.recoveryMs === undefined) return '';
  return event.recoveryMs === null ? 'not within the step' : `${event.recoveryMs} ms`;
}

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
      describeEffect(event),
      describeRecovery(event),
    ]),
  );
}
