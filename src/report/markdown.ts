// Markdown renderer: the run summary for a CI step summary ($GITHUB_STEP_SUMMARY) or a PR comment.
// Pure: returns a string (GitHub-flavoured Markdown tables).

import { analyzeRun } from '../analysis/analyze-run.js';
import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { FAULT_EVENT_HEADER, faultEventRows } from './fault-events.js';
import { emulationLines } from './emulation-text.js';
import { comparisonHeader, comparisonRows, describeComparison, verdictLines } from './comparison-rows.js';
import { hasUntrusted, TRUST_LEGEND } from './trust-marks.js';
import { decisionMarkdown } from './verdict-markdown.js';
import { rehearsalNote } from './rehearsal-note.js';
import { mergeNoteLines } from './merge-note.js';

/** Escapes the characters that would break a table cell or start Markdown markup. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`<])/g, '\\$1').replace(/\n/g, ' ');
}

function table(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const align = header.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [header, align, ...body].map((row, i) => `| ${row.map((c) => (i === 1 ? c : cell(c))).join(' | ')} |`).join('\n');
}

export function renderMarkdown(result: RunResult, options: { analysis?: RunAnalysis } = {}): string {
  const analysis = options.analysis ?? analyzeRun(result);
  const out: string[] = [`## hcbench · ${cell(result.scenario.name)} · ${result.status}`, ''];
  if (result.scenario.description.trim() !== '') out.push(cell(result.scenario.description.trim()), '');
  const rehearsal = rehearsalNote(result);
  if (rehearsal !== undefined) out.push(`> **${cell(rehearsal)}**`, '');
  const merge = mergeNoteLines(result);
  if (merge.length > 0) out.push(...merge.map((line, i) => (i === 0 ? `> **${cell(line)}**` : `> ${cell(line)}`)), '');
  out.push(...decisionMarkdown(result, analysis));
  const verdicts = verdictLines(analysis);
  if (verdicts.length > 0) out.push(...verdicts.map((v) => `- ${cell(v)}`), '');
  const emulation = emulationLines(result);
  if (emulation.length > 0) out.push(...emulation.map((line) => `- ${cell(line)}`), '');
  if (analysis.warnings.length > 0) out.push('> [!WARNING]', ...analysis.warnings.map((w) => `> - ${cell(w)}`), '');
  for (const comparison of analysis.comparisons) {
    out.push(`### ${cell(comparison.key)}`, '', `_${cell(describeComparison(comparison, result))}_`, '');
    out.push(table([comparisonHeader(analysis.confidence, comparison), ...comparisonRows(comparison, result.steps)]), '');
  }
  const faults = faultEventRows(result);
  if (faults.length > 0) out.push('### fault events', '', table([[...FAULT_EVENT_HEADER], ...faults]), '');
  if (analysis.comparisons.length > 0 && hasUntrusted(result.steps)) out.push(`_${cell(TRUST_LEGEND)}_`, '');
  const env = result.environment;
  out.push(
    '<details><summary>method and environment</summary>',
    '',
    ...analysis.methods.map((m) => `- ${cell(m)}`),
    `- hcbench ${cell(env.hcbenchVersion)}, Node ${cell(env.nodeVersion)}, ${env.cpuCount} × ${cell(env.cpuModel)}, ${cell(env.platform)}/${cell(env.arch)}`,
    `- roles: ${cell(Object.entries(env.roles).map(([role, where]) => `${role} = ${where}`).join('; ') || 'none recorded')}`,
    `- started ${result.startedAt}, finished ${result.finishedAt}`,
    '',
    '</details>',
  );
  return out.join('\n') + '\n';
}
