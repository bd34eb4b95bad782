// Writes a trace as text that diffs well in a repository: the header keys on their own lines and
// one conversation per line, in id order. JSON, so any JSON reader takes it.

import type { Trace } from './format.js';

/** The trace as JSON text (with a final newline). */
export function renderTrace(trace: Trace): string {
  const { conversations, ...header } = trace;
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  const body = conversations.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `${head},\n  "conversations": [${conversations.length === 0 ? '' : `\n${body}\n  `}]\n}\n`;
}
