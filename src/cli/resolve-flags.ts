// `--resolve` on `hcbench agent` / `tunnel`: parses the mappings, installs them for every socket
// the process opens (tunnel/resolve-agent.ts) and says so on stderr, so nobody mistakes a
// rehearsal for a run against Azure.

import { formatResolveOverride, parseResolveOverrides } from '../azure/resolve-override.js';
import { installResolveOverrides } from '../tunnel/resolve-agent.js';
import type { Plan } from '../plan/build-plan.js';
import type { CliIo } from './io.js';

/** Installs the `--resolve` mappings (none: normal name resolution, nothing printed). */
export function applyResolveFlags(specs: readonly string[], io: CliIo): void {
  const overrides = parseResolveOverrides(specs);
  if (overrides.length === 0) return;
  installResolveOverrides(overrides);
  for (const o of overrides) {
    io.stderr.write(`resolve override: ${formatResolveOverride(o)} (${o.host}:${o.port} is dialled at ${o.address}:${o.toPort}; not Azure's DNS)\n`);
  }
}

/** Before a run: one line per relay-azure path that is a rehearsal or name-mapped (none otherwise). */
export function plannedResolveLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const path of plan.paths) {
    if (path.kind !== 'relay-azure') continue;
    if (path.rehearsal !== undefined) lines.push(`path ${path.id}: REHEARSAL as ${path.rehearsal}: hcbench's relay emulator on this machine, reached by name through a resolve override; not Azure`);
    for (const spec of path.resolve ?? []) lines.push(`path ${path.id}: resolve override ${spec} (not Azure's DNS)`);
  }
  return lines;
}
