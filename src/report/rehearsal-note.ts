// A run whose relay-azure paths were rehearsals (the emulator answering as an Azure name) must
// never read as a measurement of Azure: every report carries this note. Pure.

import type { RunResult } from '../metrics/result.js';

/** `path id → namespace host` of every rehearsal path in the result's topology. */
export function rehearsalPaths(result: RunResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of result.topology?.paths ?? []) {
    if (path === null || typeof path !== 'object') continue;
    const { id, kind, rehearsal } = path as { id?: unknown; kind?: unknown; rehearsal?: unknown };
    if (kind === 'relay-azure' && typeof id === 'string' && typeof rehearsal === 'string') out[id] = rehearsal;
  }
  return out;
}

/** One line for reports, or undefined when no path was a rehearsal. */
export function rehearsalNote(result: RunResult): string | undefined {
  const entries = Object.entries(rehearsalPaths(result));
  if (entries.length === 0) return undefined;
  const list = entries.map(([id, host]) => `${id} as ${host}`).join(', ');
  return `REHEARSAL, not Azure: ${list} ran against hcbench's relay emulator on this machine, reached by name through a resolve override`;
}
