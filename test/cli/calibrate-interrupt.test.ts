// `hcbench calibrate` honours Ctrl-C in every phase: a real SIGINT during the longest phase (the
// injected delays, relay emulator and all) ends it within the bound, naming the phase, exit 130,
// with the calibration's own notice and nothing saved.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { interruptBoundMs } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { spawnCli } from '../helpers/cli-child.js';

describe('hcbench calibrate and Ctrl-C', () => {
  // The injected-delays phase lasts seconds even with --quick: its 20 ms-per-leg samples alone add
  // up to more than a second whatever the machine's speed, so the SIGINT lands inside it.
  test('during the injected delays: ends within the bound, names the phase, saves nothing', async () => {
    const phase = 'injected delays';
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-calibrate-sigint-'));
    try {
      const saved = join(dir, 'calibration.json');
      const child = spawnCli(['calibrate', '--quick', '--save', saved]);
      await child.waitForStderr(new RegExp(`^calibrate: ${phase}`, 'm'), 60_000);
      const sentAt = performance.now();
      child.process.kill('SIGINT');
      const exit = await child.exited;

      expect(exit.code, child.stderr()).toBe(ExitCode.Interrupted);
      expect(exit.atMs - sentAt).toBeLessThan(interruptBoundMs(['calibrate']));
      expect(child.stderr()).toContain('interrupted: calibration stopping, nothing saved');
      expect(child.stderr()).not.toContain('finishing the current step');
      expect(child.stderr()).not.toMatch(/still running \d+ ms after Ctrl-C/);
      expect(child.stderr()).toContain(`error[ERR_INTERRUPTED]: interrupted while waiting for calibrate: ${phase}`);
      expect(existsSync(saved)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
