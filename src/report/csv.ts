// CSV renderer (csv-stringify): long format, one row per step × path × metric × percentile and,
// per interval, one row per percentile. Pivot-friendly for spreadsheets. Pure: returns a string.

import { stringify } from 'csv-stringify/sync';
import type { LatencySummary, RunResult } from '../metrics/result.js';
import { intervalSummaries } from './histograms.js';
import { rehearsalPaths } from './rehearsal-note.js';

/** Column names, in order. Latencies are integer µs; `startMs`/`durationMs` locate interval rows. */
export const CSV_COLUMNS = [
  'record', 'stepId', 'pathId', 'pathKind', 'repetition', 'status', 'metric', 'percentile', 'valueUs', 'count', 'startMs', 'durationMs',
] as const;

const PERCENTILE_FIELDS: readonly [string, keyof LatencySummary][] = [
  ['min', 'minUs'], ['mean', 'meanUs'], ['p50', 'p50Us'], ['p90', 'p90Us'], ['p99', 'p99Us'], ['p99.9', 'p999Us'], ['max', 'maxUs'],
];

/** `record` is `step` (whole measured window) or `interval` (round-trip latency of one interval). */
export function renderCsv(result: RunResult): string {
  const rows: (string | number)[][] = [];
  const rehearsals = rehearsalPaths(result);
  for (const step of result.steps) {
    // A rehearsal is not an Azure measurement, even in a spreadsheet row.
    const notAzure = rehearsals[step.pathId];
    const kind = notAzure === undefined ? step.pathKind : `${step.pathKind}-${notAzure.how}`;
    const id = [step.stepId, step.pathId, kind, step.repetition ?? 0, step.status] as const;
    if (step.status === 'failed') {
      // A failed step has no metrics, but its row keeps it visible in a spreadsheet.
      rows.push(['step', ...id, '', '', '', '', '', '']);
      continue;
    }
    const { metrics } = step;
    for (const [metric, record] of Object.entries(metrics.histograms)) {
      if (record === undefined) continue;
      for (const [label, field] of PERCENTILE_FIELDS) {
        rows.push(['step', ...id, metric, label, record.summary[field], record.summary.count, 0, metrics.durationMs]);
      }
    }
    for (const interval of intervalSummaries(metrics)) {
      for (const [label, field] of PERCENTILE_FIELDS) {
        rows.push(['interval', ...id, 'roundTrip', label, interval.summary[field], interval.summary.count, interval.startMs, interval.durationMs]);
      }
    }
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}
