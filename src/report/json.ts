// JSON renderer: the RunResult as pretty JSON (summary.json and `--json`). Pure.

import type { RunResult } from '../metrics/result.js';

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
