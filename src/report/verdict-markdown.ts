// The decision block in Markdown: the sentence to paste first, the verdict lines as a list, the
// ranking and the waterfall as preformatted text (their columns and bars need a fixed font). Pure.

import type { RunAnalysis } from '../metrics/analysis-result.js';
import type { RunResult } from '../metrics/result.js';
import { decisionLines, SENTENCE_PREFIX } from './verdict-text.js';

/** Lines to append to the Markdown page; empty when the run compared nothing. */
export function decisionMarkdown(result: RunResult, analysis: RunAnalysis): string[] {
  const lines = decisionLines(result, analysis);
  const [title, ...rest] = lines;
  if (title === undefined) return [];
  const sentence = rest.find((l) => l.startsWith(SENTENCE_PREFIX));
  const fixed = rest.filter((l) => l.startsWith('  ') || l.endsWith(':'));
  const listed = rest.filter((l) => l !== sentence && !fixed.includes(l));
  const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/([*_`<|])/g, '\\$1');
  return [
    `### ${escape(title)}`,
    '',
    ...(sentence === undefined ? [] : [`> ${escape(sentence.slice(SENTENCE_PREFIX.length))}`, '']),
    ...listed.map((l) => `- ${escape(l)}`),
    '',
    ...(fixed.length === 0 ? [] : ['```', ...fixed, '```', '']),
  ];
}
