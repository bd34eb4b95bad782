// A scenario over a documented relay limit gets the warning before the run starts any path.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

test('more relayed connections than a namespace allows: warned before the paths start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-limits-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'over.yaml');
  await writeFile(file, 'name: over\ntarget: { kind: tcp-request-response }\npaths: [ { kind: relay-emulated } ]\nworkload: { kind: tcp-request-response, connections: 6000 }\n');
  // Interrupted before the first step: the warning must already be out, and no step runs.
  const controller = new AbortController();
  controller.abort();

  const run = await runCli(['run', file, '--no-save'], { cwd: dir, signal: controller.signal });

  const warning = run.stderr.indexOf('warning: path relay-emulated: up to 6000 concurrent relayed connections, more than the 5000');
  expect(warning, run.stderr).toBeGreaterThanOrEqual(0);
  const start = run.stderr.indexOf('starting paths');
  expect(start === -1 || warning < start).toBe(true);
  expect(run.exitCode).toBe(ExitCode.Interrupted);
}, 60_000);
