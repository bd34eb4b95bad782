// The real executable (compiled dist/, as npm installs it): shebang, stdout/stderr split, exit codes.
// `npm test` builds dist/ first.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const BIN = 'dist/cli/bin.js';

async function hcbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the hcbench executable', () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
  });

  test('run --json prints one parseable result on stdout and writes summary.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-bin-'));
    try {
      const { code, stdout, stderr } = await hcbench([
        'run', 'scenarios/quickstart.yaml', '--json', '--duration-ms', '300', '--warmup-ms', '100', '--results-dir', dir,
      ]);

      // 7 = results complete, but a busy machine made the generator fall behind (said on stderr).
      expect([0, 7], stderr).toContain(code);
      if (code === 7) expect(stderr).toContain('invalid run');
      const result = JSON.parse(stdout) as { schemaVersion: number; status: string; steps: unknown[] };
      expect(result.schemaVersion).toBe(1);
      expect(result.status).toBe('completed');
      expect(result.steps).toHaveLength(2);
      expect(stderr).toContain('[2/2] tcp-request-response@relay-emulated');
      const [folder] = await readdir(dir);
      expect(folder).toMatch(/^\d{8}T\d{6}Z-quickstart$/);
      const saved = JSON.parse(await readFile(join(dir, folder!, 'summary.json'), 'utf8')) as { steps: unknown[] };
      expect(saved.steps).toHaveLength(2);
      expect(stdout + stderr + JSON.stringify(saved)).not.toMatch(/SharedAccessKey=|sig=[^<]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('a missing scenario exits 3; a bogus flag exits 2', async () => {
    const missing = await hcbench(['run', 'missing.yaml']);
    const bogus = await hcbench(['run', '--bogus']);

    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('missing.yaml: file not found');
    expect(bogus.code).toBe(2);
  });
});
