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

describe('a target that goes away before a step', () => {
  test('the step that measured only refusals fails as a target failure and the run stops there', async () => {
    const { buildPlan } = await import('../../src/plan/build-plan.js');
    const { runPlan, TARGET_UNREACHABLE_CODE } = await import('../../src/run/run-plan.js');
    const { parseScenarioText } = await import('../../src/scenario/load.js');
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const scenario = parseScenarioText(
      `name: gone
target: { kind: external, address: "127.0.0.1:${address.port}" }
paths: [{ kind: direct }]
workload:
  kind: dialog
  connections: 1
  steps:
    - send: "PING\\r\\n"
    - expect: { exact: "+PONG\\r\\n" }
durationMs: 300
warmupMs: 0
repetitions: 2
`,
      'gone.yaml',
    );

    // The pre-run probe finds it listening; it stops listening as the first step starts.
    const result = await runPlan(buildPlan(scenario), {
      scenario,
      scenarioFile: 'gone.yaml',
      signal: AbortSignal.timeout(60_000),
      onProgress: (event) => {
        if (event.type === 'step-start') server.close();
      },
    });

    expect(result.status).toBe('failed');
    expect(result.steps).toHaveLength(1);
    const step = result.steps[0]!;
    if (step.status !== 'failed') throw new Error(`step ${step.status}`);
    expect(step.error.code).toBe(TARGET_UNREACHABLE_CODE);
    expect(step.error.message).toContain(`target 127.0.0.1:${address.port} refused every connection of this step`);
  }, 90_000);
});
