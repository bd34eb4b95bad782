// A target that refuses every connection is a target failure, said within the first second with
// its address and the error (exit 10), never a generator verdict (exit 7) after measuring resets.
// Real closed port: bound on 127.0.0.1:0, then closed, so nothing listens there.

import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { probeTarget } from '../../src/net/probe-target.js';
import { runCli } from '../helpers/cli.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('a target that refuses every connection', () => {
  test('the probe names the refusal', async () => {
    const port = await closedPort();

    const probe = await probeTarget({ host: '127.0.0.1', port }, { timeoutMs: 1000 });

    expect(probe).toMatchObject({ ok: false, code: 'ECONNREFUSED' });
  });

  test('hcbench run fails fast as a target failure with the address and the error, not exit 7', async () => {
    const port = await closedPort();
    const startedMs = performance.now();

    const { exitCode, stderr, stdout } = await runCli(['run', 'scenarios/redis-dialog.yaml', '--target-address', `127.0.0.1:${port}`, '--no-save']);

    const elapsedMs = performance.now() - startedMs;
    expect(exitCode).toBe(ExitCode.TargetUnreachable);
    expect(stderr).toContain(`error[ERR_TARGET_UNREACHABLE]: target 127.0.0.1:${port} refused the connection (ECONNREFUSED`);
    expect(stderr).toContain('hint: start the target server first');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).not.toContain('invalid run');
    // Before any process started or any step ran: well within the first second.
    expect(elapsedMs, `took ${Math.round(elapsedMs)} ms`).toBeLessThan(1000);
  });
});
