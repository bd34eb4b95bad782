// A run whose relay-azure paths were rehearsals (the emulator answering as an Azure name) or
// reached their namespace through a name mapping must never read as a measurement of Azure:
// every report carries this note. Pure.

import type { RunResult } from '../metrics/result.js';

/** How a relay-azure path was reached when not simply by DNS. */
export interface NotAzure {
  /** `rehearsal`: hcbench's emulator answering as `host`; `mapped`: a resolve override chose the address. */
  how: 'rehearsal' | 'mapped';
  /** The namespace host (rehearsal) or the mappings (mapped). */
  detail: string;
}

/** `path id → how` for every relay-azure path of the topology that was a rehearsal or name-mapped. */
export function rehearsalPaths(result: RunResult): Record<string, NotAzure> {
  const out: Record<string, NotAzure> = {};
  for (const path of result.topology?.paths ?? []) {
    if (path === null || typeof path !== 'object') continue;
    const { id, kind, rehearsal, resolve } = path as { id?: unknown; kind?: unknown; rehearsal?: unknown; resolve?: unknown };
    if (kind !== 'relay-azure' || typeof id !== 'string') continue;
    if (typeof rehearsal === 'string') out[id] = { how: 'rehearsal', detail: rehearsal };
    else if (Array.isArray(resolve) && resolve.length > 0) out[id] = { how: 'mapped', detail: resolve.map(String).join(', ') };
  }
  return out;
}

/** One line for reports, or undefined when every relay-azure path (if any) was plain Azure by DNS. */
export function rehearsalNote(result: RunResult): string | undefined {
  const entries = Object.entries(rehearsalPaths(result));
  if (entries.length === 0) return undefined;
  const rehearsals = entries.filter(([, p]) => p.how === 'rehearsal').map(([id, p]) => `${id} as ${p.detail}`);
  const mapped = entries.filter(([, p]) => p.how === 'mapped').map(([id, p]) => `${id} via ${p.detail}`);
  const parts = [
    rehearsals.length === 0 ? '' : `REHEARSAL, not Azure: ${rehearsals.join(', ')} ran against hcbench's relay emulator on this machine, reached by name through a resolve override`,
    mapped.length === 0 ? '' : `NAME-MAPPED, not verified as Azure: ${mapped.join(', ')} (a resolve override, not DNS, chose the address; a rehearsal when it points at hcbench relay --as)`,
  ];
  return parts.filter((p) => p !== '').join('; ');
}
