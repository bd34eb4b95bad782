// Role processes as `hcbench` runs them: from the compiled build, not under tsx. Memory figures
// need this: tsx compiles with esbuild's keepNames, and its `__name()` turns every named closure's
// property store into a dictionary (~256 B each), about 8 KB per relayed connection in the
// forwarder and again in the agent (heap snapshots, issue #15), a cost no user pays.

import { readdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { COMPILED_ROLE_ENTRY, type SpawnRoleOptions } from '../../src/roles/role-process.js';

const SRC = new URL('../../src/', import.meta.url);
const DIST = new URL('../../dist/', import.meta.url);

/** Newest modification time (ms) of the files under `dir` with one of `extensions`; 0 when none or unreadable. */
async function newestMtimeMs(dir: URL, extensions: readonly string[]): Promise<number> {
  let entries;
  try {
    entries = await readdir(fileURLToPath(dir), { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  let newest = 0;
  for (const entry of entries) {
    if (!entry.isFile() || !extensions.some((ext) => entry.name.endsWith(ext))) continue;
    const { mtimeMs } = await stat(`${entry.parentPath}/${entry.name}`);
    newest = Math.max(newest, mtimeMs);
  }
  return newest;
}

/** Spawn options for role processes, and a note when they cannot be the compiled ones. */
export interface RoleRuntime {
  options: SpawnRoleOptions;
  /** `compiled` (dist/, as `hcbench` runs) or `tsx` (the build is missing or older than src/). */
  runtime: 'compiled' | 'tsx';
  notes: string[];
}

/**
 * The compiled build's role processes when dist/ exists and is at least as new as every source
 * file; otherwise tsx roles, with a note naming why and how much that adds.
 */
export async function compiledRoles(): Promise<RoleRuntime> {
  const [entryMs, srcMs, distMs] = await Promise.all([
    stat(fileURLToPath(COMPILED_ROLE_ENTRY)).then((s) => s.mtimeMs, () => 0),
    newestMtimeMs(SRC, ['.ts']),
    newestMtimeMs(DIST, ['.js']),
  ]);
  if (entryMs > 0 && distMs >= srcMs) return { options: { compiled: true }, runtime: 'compiled', notes: [] };
  const why = entryMs === 0 ? 'no compiled build (dist/)' : 'dist/ is older than src/';
  return {
    options: {},
    runtime: 'tsx',
    notes: [`role processes ran under tsx (${why}; run npm run build): tsx keeps function names, about 8 KB more retained heap per connection in the forwarder and in the agent than compiled (heap snapshots, docs/memory.md); RSS moves with GC timing and can hide it`],
  };
}
