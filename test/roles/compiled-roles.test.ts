// Role processes from the compiled build (SpawnRoleOptions.compiled): what the scale bench entry
// uses so its memory figure is not inflated by tsx's keepNames. Needs dist/ (`npm test` builds it).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { COMPILED_ROLE_ENTRY, spawnRole, type RoleHandle } from '../../src/roles/role-process.js';
import type { StartTargetResult } from '../../src/roles/role-protocol.js';

const started: RoleHandle[] = [];
afterEach(async () => {
  for (const role of started.splice(0)) await role.stop();
});

async function commandLine(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((s) => s !== '');
}

describe('compiled role processes', () => {
  beforeAll(() => {
    if (!existsSync(COMPILED_ROLE_ENTRY)) throw new Error(`${fileURLToPath(COMPILED_ROLE_ENTRY)} is missing: run \`npm run build\` (npm test does)`);
  });

  test('compiled: true runs dist/cli/role-main.js without tsx, and the role works; the default runs the source under tsx', async () => {
    const compiled = await spawnRole('onprem', { compiled: true });
    started.push(compiled);
    const args = await commandLine(compiled.pid);
    expect(args).toContain(fileURLToPath(COMPILED_ROLE_ENTRY));
    expect(args).not.toContain('tsx');
    const target = await compiled.call<StartTargetResult>('startTarget');
    expect(target.port).toBeGreaterThan(0);

    const source = await spawnRole('onprem');
    started.push(source);
    const sourceArgs = await commandLine(source.pid);
    expect(sourceArgs).toContain('tsx');
    expect(sourceArgs.some((a) => a.endsWith('role-main.ts'))).toBe(true);
  });
});
