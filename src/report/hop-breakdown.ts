// The hop breakdown of relay paths: how long hcbench's own forwarder and agent held each message
// and how long the forwarder's rendezvous took, next to the end-to-end figures, so a reader can
// tell our plumbing's share of the overhead from the relay's. Pure: RunResult → lines.

import type { HistogramRecord, RunResult } from '../metrics/result.js';
import { formatUs, renderTable } from './format.js';
import { setupBreakdownLines } from './setup-breakdown.js';

interface Timing {
  toRelayHop?: HistogramRecord;
  fromRelayHop?: HistogramRecord;
  setup?: HistogramRecord;
}

function timingOf(counters: unknown): Timing | undefined {
  const timing = (counters as { timing?: Timing } | undefined)?.timing;
  return timing !== undefined && typeof timing === 'object' ? timing : undefined;
}

const cell = (record: HistogramRecord | undefined): string =>
  record === undefined || record.summary.count === 0 ? '–' : `${formatUs(record.summary.p50Us)} / ${formatUs(record.summary.p99Us)}`;

/** Table lines (empty when no relay path recorded timing). */
export function hopBreakdownLines(result: RunResult): string[] {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const [pathId, counters] of Object.entries(result.pathCounters ?? {})) {
    const forwarder = timingOf(counters['forwarder']);
    const agent = timingOf(counters['agent']);
    if (forwarder === undefined && agent === undefined) continue;
    notes.push(forwarderNote(result, pathId));
    rows.push([`${pathId} forwarder`, cell(forwarder?.toRelayHop), cell(forwarder?.fromRelayHop), cell(forwarder?.setup)]);
    rows.push([`${pathId} agent`, cell(agent?.fromRelayHop), cell(agent?.toRelayHop), '']);
  }
  if (rows.length === 0) return [];
  return [
    'hop breakdown (p50 / p99, whole run): time our endpoints hold each message; forwarder setup = local accept → relayed WebSocket open (the rendezvous)',
    renderTable([['', 'toward the target', 'toward the app', 'setup'], ...rows]),
    ...notes,
    ...setupBreakdownLines(result.pathCounters ?? {}),
  ];
}

/** Where the path's forwarder ran, and the generator's own loop delay on that path's steps. */
function forwarderNote(result: RunResult, pathId: string): string {
  const where = result.environment?.roles?.[`${pathId}.forwarder`] ?? 'its own app-relay-client process';
  const loopP99 = (result.steps ?? [])
    .filter((step) => step.pathId === pathId && step.status !== 'failed')
    .map((step) => (step.status === 'failed' ? undefined : step.metrics.generator?.eventLoopDelay.p99Us))
    .filter((us): us is number => us !== undefined);
  const loop = loopP99.length === 0 ? '' : `; generator event-loop delay p99 on its steps ${formatUs(Math.max(...loopP99))} (max over steps), forwarding work not included`;
  return `${pathId} forwarder ran in ${where}, outside the generator's process${loop}`;
}
