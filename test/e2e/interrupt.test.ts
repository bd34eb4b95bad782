// Ctrl-C during a run: the real executable gets SIGINT mid-step, exits 130, and leaves a valid
// result marked `aborted` that `hcbench report` renders; no role process survives.

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import type { RunResult } from '../../src/metrics/result.js';
import { waitGone } from '../helpers/processes.js';

const BIN = 'dist/cli/bin.js';


describe('Ctrl-C during a run', () => {
  test('exits 130 and leaves a valid aborted result that report renders', async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does)`);
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-sigint-'));
    try {
      const child = spawn(BIN, ['run', 'scenarios/ci-smoke.yaml', '--duration-ms', '30000', '--warmup-ms', '100', '--results-dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no step started: ${stderr}`)), 30_000);
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (stderr.includes('[1/')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await new Promise((r) => setTimeout(r, 800));

      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);

      expect(code, stderr).toBe(130);
      expect(stderr).toContain('interrupted');
      expect(stdout).toContain('interrupted');
      const [folder] = await readdir(dir);
      const file = join(dir, folder!, 'summary.json');
      const result = JSON.parse(await readFile(file, 'utf8')) as RunResult;
      expect(result.status).toBe('aborted');
      expect(result.abortReason).toBe('interrupted');
      expect(result.steps[0]?.status).toBe('aborted');
      const report = await promisify(execFile)(BIN, ['report', file, '--format', 'html']);
      expect(report.stdout).toContain('<html');
      for (const [role, pid] of Object.entries(result.environment.rolePids)) {
        if (role !== 'app') expect(await waitGone(pid, 5_000), `${role} ${pid}`).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
