// `hcbench trend` as text: per scenario group, one row per run (time, commit, the metric per
// subject, compare's verdict against the run before), then the spread. Pure.

import type { TrendGroup } from '../analysis/trend.js';
import { formatRate, formatUs, renderTable } from './format.js';

/** A value in its unit, for people. */
export function formatTrendValue(value: number | null | undefined, unit: TrendGroup['unit']): string {
  if (value === null || value === undefined) return '–';
  switch (unit) {
    case 'us':
      return formatUs(value);
    case 'fraction':
      return `${(value * 100).toFixed(3)} %`;
    case 'perSec':
      return formatRate(value);
    case 'ratio':
      return `×${value.toFixed(3)}`;
    case 'count':
      return value.toLocaleString('en-US');
  }
}

/** The mark of a run compare called regressed (or could not compare) against the run before. */
export function trendFlag(run: TrendGroup['runs'][number]): string {
  if (run.compare === undefined) return '';
  if (run.compare.verdict === 'regressed') return `REGRESSED (${run.compare.regressed.join(', ')})`;
  if (run.compare.reasons.length > 0) return `incomparable (${run.compare.reasons[0]})`;
  return run.compare.verdict;
}

/** The whole trend as text; `metric` as the user named it; `notes` (skipped files) at the end. */
export function renderTrendText(groups: readonly TrendGroup[], metric: string, notes: readonly string[]): string {
  const parts: string[] = [];
  if (groups.length === 0) parts.push(`no hcbench results to show ${metric} for\n`);
  for (const group of groups) {
    parts.push(`${group.scenario} (fingerprint ${group.fingerprint}): ${metric}, ${group.runs.length} run${group.runs.length === 1 ? '' : 's'}\n`);
    const header = ['started', 'commit', ...group.subjects, 'vs previous run (compare)'];
    const rows = group.runs.map((run) => [
      run.startedAt,
      run.gitCommit === undefined ? '–' : run.gitCommit.slice(0, 10),
      ...group.subjects.map((s) => formatTrendValue(run.values[s], group.unit)),
      trendFlag(run),
    ]);
    parts.push(`${renderTable([header, ...rows])}\n`);
    for (const subject of group.subjects) {
      const spread = group.spread[subject];
      if (spread !== null && spread !== undefined) {
        parts.push(`  ${subject}: mean ${formatTrendValue(spread.mean, group.unit)}, noise band ±${formatTrendValue(2 * spread.sd, group.unit)} (2 sd over ${spread.n} runs)\n`);
      }
    }
    parts.push('\n');
  }
  for (const note of notes) parts.push(`note: ${note}\n`);
  return parts.join('');
}
