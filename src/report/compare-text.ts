// Console and Markdown rendering of a baseline comparison. Pure: returns strings.

import type { CompareReport, MetricComparison } from '../analysis/compare.js';
import { formatUs, renderTable } from './format.js';

const MARK: Record<MetricComparison['verdict'], string> = { improved: '▲', unchanged: '=', regressed: '▼', incomparable: '?' };

function value(unit: MetricComparison['unit'], x: number | null, isSigned = false): string {
  if (x === null) return '–';
  const sign = isSigned && x >= 0 ? '+' : '';
  if (unit === 'us') return isSigned ? `${x >= 0 ? '+' : '-'}${formatUs(Math.abs(x))}` : formatUs(x);
  if (unit === 'fraction') return `${sign}${(x * 100).toFixed(2)}%`;
  return `${sign}${x.toFixed(x >= 100 || x <= -100 ? 0 : 1)}/s`;
}

function rows(report: CompareReport): string[][] {
  return report.metrics.map((m) => [
    `${MARK[m.verdict]} ${m.metric}`,
    value(m.unit, m.baseline),
    value(m.unit, m.current),
    value(m.unit, m.delta, true),
    m.relativeDelta === null ? '–' : `${m.relativeDelta >= 0 ? '+' : ''}${(m.relativeDelta * 100).toFixed(1)}%`,
    `±${value(m.unit, m.allowed)}`,
    m.verdict,
  ]);
}

const HEADER = ['metric', 'baseline', 'current', 'Δ', 'Δ%', 'allowed', 'verdict'];

function headline(report: CompareReport): string {
  const c = report.counts;
  return `compare: ${report.verdict} (${c.regressed} regressed, ${c.improved} improved, ${c.unchanged} unchanged, ${c.incomparable} incomparable)`;
}

/** Plain-text table for the terminal. */
export function renderCompareText(report: CompareReport): string {
  const out = [headline(report), `baseline ${report.baseline.file} (${report.baseline.startedAt}) vs current ${report.current.file} (${report.current.startedAt})`];
  for (const reason of report.reasons) out.push(`incomparable: ${reason}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  if (report.metrics.length > 0) out.push('', renderTable([HEADER, ...rows(report)]));
  return out.join('\n') + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** GitHub-flavoured Markdown for a CI step summary. */
export function renderCompareMarkdown(report: CompareReport): string {
  const out = [`## hcbench compare · ${cell(report.current.scenario)} · ${report.verdict}`, '', headline(report), ''];
  if (report.reasons.length > 0) out.push('> [!CAUTION]', ...report.reasons.map((r) => `> - incomparable: ${cell(r)}`), '');
  if (report.notes.length > 0) out.push(...report.notes.map((n) => `- note: ${cell(n)}`), '');
  if (report.metrics.length > 0) {
    out.push(`| ${HEADER.join(' | ')} |`, `| :-- | ${HEADER.slice(1).map(() => '--:').join(' | ')} |`, ...rows(report).map((r) => `| ${r.map(cell).join(' | ')} |`), '');
  }
  out.push(`<sub>baseline ${cell(report.baseline.file)} (${report.baseline.startedAt}); current ${cell(report.current.file)} (${report.current.startedAt}); a change counts when it exceeds max(tolerance, noise band of the baseline's repetitions, floor)</sub>`, '');
  return out.join('\n');
}
