// Console renderer: a compact side-by-side table per compared workload, verdict lines and
// warnings. Colours only when told the output is a TTY. Pure: returns a string.

import { analyzeRun } from '../analysis/analyze-run.js';
import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { compactRows, comparisonHeader, comparisonRows, describeComparison, verdictLines } from './comparison-rows.js';
import { formatRate, formatUs, renderTable } from './format.js';
import { emulationLines } from './emulation-text.js';
import { mergeNoteLines } from './merge-note.js';
import { hopBreakdownLines } from './hop-breakdown.js';
import { FAULT_EVENT_HEADER, faultEventRows } from './fault-events.js';
import { hasUntrusted, TRUST_LEGEND } from './trust-marks.js';
import { decisionLines } from './verdict-text.js';
import { rehearsalNote } from './rehearsal-note.js';

/** Options of the text renderers. */
export interface ConsoleOptions {
  /** Use ANSI colours (the CLI passes `stdout.isTTY`). Default false. */
  isTTY?: boolean;
  /** A precomputed analysis; computed with defaults when absent. */
  analysis?: RunAnalysis;
}

/** More compared variants than this are shown as one compact table (a sweep). */
export const MAX_FULL_TABLES = 2;

const paint = (isTTY: boolean, code: string) => (text: string) => (isTTY ? `\u001b[${code}m${text}\u001b[0m` : text);

export function renderConsole(result: RunResult, options: ConsoleOptions = {}): string {
  const analysis = options.analysis ?? analyzeRun(result);
  const isTTY = options.isTTY === true;
  const bold = paint(isTTY, '1');
  const yellow = paint(isTTY, '33');
  const dim = paint(isTTY, '2');
  const lines: string[] = [bold(`hcbench · ${result.scenario.name} · ${result.status}`)];
  const description = result.scenario.description.trim().split('\n')[0] ?? '';
  if (description !== '') lines.push(description);
  const rehearsal = rehearsalNote(result);
  if (rehearsal !== undefined) lines.push(yellow(rehearsal));
  for (const [i, line] of mergeNoteLines(result).entries()) lines.push(i === 0 ? yellow(line) : dim(line));
  lines.push('');
  const decision = decisionLines(result, analysis);
  if (decision.length > 0) lines.push(...decision.map((line, i) => (i === 0 ? bold(line) : line)), '');
  // A sweep (many variants) gets one compact row per variant; the full tables are in md/html.
  const isCompact = analysis.comparisons.length > MAX_FULL_TABLES;
  if (isCompact) {
    const first = analysis.comparisons[0];
    if (first !== undefined) lines.push(dim(`${analysis.comparisons.length} variants, ${describeComparison(first, result)}; full tables: hcbench report --format md|html`));
    lines.push(renderTable(compactRows(analysis, result.steps)), '');
  }
  for (const comparison of isCompact ? [] : analysis.comparisons) {
    lines.push(bold(`${comparison.key}`) + dim(`  (${describeComparison(comparison, result)})`));
    lines.push(renderTable([comparisonHeader(analysis.confidence, comparison), ...comparisonRows(comparison, result.steps)]));
    lines.push('');
  }
  if (analysis.comparisons.length > 0 && hasUntrusted(result.steps)) lines.push(dim(TRUST_LEGEND), '');
  const compared = new Set(analysis.comparisons.flatMap((c) => [`${c.key}@${c.directPathId}`, `${c.key}@${c.relayPathId}`]));
  for (const step of result.steps) {
    if (step.status === 'failed' || compared.has(step.stepId)) continue;
    const h = step.metrics.histograms.roundTrip.summary;
    lines.push(`${step.stepId}: round trip p50 ${formatUs(h.p50Us)}, p99 ${formatUs(h.p99Us)}, ${formatRate(step.metrics.roundTripsPerSec)} round trips`);
  }
  const faults = faultEventRows(result);
  if (faults.length > 0) lines.push(bold('fault events'), renderTable([[...FAULT_EVENT_HEADER], ...faults]), '');
  const hops = hopBreakdownLines(result);
  if (hops.length > 0) lines.push(...hops.map((line, i) => (i === 0 ? dim(line) : line)), '');
  for (const verdict of verdictLines(analysis, !isCompact)) lines.push(bold('» ') + verdict);
  for (const line of emulationLines(result)) lines.push(dim(line));
  for (const warning of analysis.warnings) lines.push(yellow(`! ${warning}`));
  if (analysis.comparisons.length > 0) lines.push(dim(`method: ${analysis.methods[0] ?? ''}`));
  return lines.join('\n').trimEnd() + '\n';
}
