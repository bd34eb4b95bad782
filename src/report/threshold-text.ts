// Console and Markdown rendering of threshold verdicts. Pure: returns strings; never prints.

import type { ThresholdVerdict } from '../metrics/result.js';

const MARK: Record<ThresholdVerdict['status'], string> = { passed: '✓', failed: '✗', 'no-data': '?' };

/** One line per verdict plus a total, e.g. `✗ relay.transaction.p99 < 25ms  smoke@relay-emulated: …`. */
export function renderThresholdsText(verdicts: readonly ThresholdVerdict[]): string {
  if (verdicts.length === 0) return '';
  const failed = verdicts.filter((v) => v.status !== 'passed').length;
  const lines = verdicts.map((v) => `  ${MARK[v.status]} ${v.threshold}  ${v.subject}: ${v.message}`);
  const head = failed === 0 ? `thresholds: all ${verdicts.length} passed` : `thresholds: ${failed} of ${verdicts.length} failed`;
  return [head, ...lines].join('\n') + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A GitHub-flavoured Markdown table of the verdicts (for a CI step summary). */
export function renderThresholdsMarkdown(verdicts: readonly ThresholdVerdict[]): string {
  if (verdicts.length === 0) return '';
  const failed = verdicts.filter((v) => v.status !== 'passed').length;
  const rows = verdicts.map((v) => `| ${MARK[v.status]} ${v.status} | \`${cell(v.threshold)}\` | ${cell(v.subject)} | ${cell(v.message)} |`);
  return [
    `### thresholds: ${failed === 0 ? `all ${verdicts.length} passed` : `${failed} of ${verdicts.length} failed`}`,
    '',
    '| verdict | threshold | subject | measured |',
    '| :-- | :-- | :-- | :-- |',
    ...rows,
    '',
  ].join('\n');
}
