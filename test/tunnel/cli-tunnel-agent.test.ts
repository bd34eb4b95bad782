// `hcbench agent` and `hcbench tunnel` wired on a commander program exactly as main() does, run
// in-process against the relay emulator: a connection crosses both, Ctrl-C (abort) stops them.

import { Command } from 'commander';
import { describe, expect, onTestFinished, test } from 'vitest';
import { registerAgent } from '../../src/cli/commands/agent.js';
import { registerTunnel } from '../../src/cli/commands/tunnel.js';
import type { CliIo } from '../../src/cli/io.js';
import { type ExitCode, UsageError } from '../../src/errors.js';
import { createDefaultNamespace } from '../../src/relay/namespace.js';
import { startRelay } from '../../src/relay/relay-server.js';
import { roundTripPayload, startEchoServer } from '../helpers/tunnel-targets.js';

interface Running {
  stdout: string[];
  stderr: string[];
  controller: AbortController;
  exit: { code: ExitCode | undefined };
  done: Promise<unknown>;
}

/** Runs `hcbench <argv>` with only the agent and tunnel commands registered. */
function runCommand(argv: string[], env: Record<string, string>): Running {
  const running: Running = { stdout: [], stderr: [], controller: new AbortController(), exit: { code: undefined }, done: Promise.resolve() };
  const io: CliIo = {
    stdout: { write: (text: string) => running.stdout.push(text) },
    stderr: { write: (text: string) => running.stderr.push(text) },
    env,
    cwd: process.cwd(),
    signal: running.controller.signal,
  };
  const program = new Command('hcbench').option('--verbose').exitOverride();
  const setExit = (code: ExitCode): void => {
    running.exit.code = code;
  };
  registerAgent(program, io, setExit);
  registerTunnel(program, io, setExit);
  running.done = program.parseAsync(argv, { from: 'user' });
  onTestFinished(async () => {
    running.controller.abort();
    await running.done.catch(() => undefined);
  });
  return running;
}

describe('hcbench agent / hcbench tunnel', () => {
  test('a connection crosses tunnel -> relay -> agent -> target; abort stops both with exit 0', async () => {
    const target = await startEchoServer();
    const relay = await startRelay({ namespace: createDefaultNamespace('hc1') });
    onTestFinished(() => relay.close());
    const env = { HCBENCH_CONNECTION_STRING: relay.connectionString('hc1') };
    const key = /SharedAccessKey=([^;]+)/.exec(env.HCBENCH_CONNECTION_STRING)?.[1] ?? 'missing';

    const agent = runCommand(['agent', '--target', `127.0.0.1:${target.address.port}`, '--json'], env);
    await expect.poll(() => agent.stdout.join('')).toContain('"listening"');
    const tunnel = runCommand(['tunnel', '--listen', '127.0.0.1:0', '--json', '--client-stack', 'ws8'], env);
    await expect.poll(() => tunnel.stdout.join('')).toContain('"listening"');
    const { port } = JSON.parse(tunnel.stdout[0] ?? '{}') as { port: number };
    const echoed = await roundTripPayload(port, Buffer.from('through the CLI'));
    tunnel.controller.abort();
    await tunnel.done;
    agent.controller.abort();
    await agent.done;

    expect(echoed.data.toString()).toBe('through the CLI');
    expect([tunnel.exit.code, agent.exit.code]).toEqual([0, 0]);
    const tunnelStats = JSON.parse(tunnel.stdout[1] ?? '{}') as { event: string; stats: { connectionsAccepted: number } };
    const agentStats = JSON.parse(agent.stdout[1] ?? '{}') as { stats: { targetConnectionsOpened: number } };
    expect(tunnelStats).toMatchObject({ event: 'stopped', stats: { connectionsAccepted: 1, connectionsFailed: 0 } });
    expect(agentStats.stats.targetConnectionsOpened).toBe(1);
    // Per-connection setup stamps stay in the stats API; the stopped line carries counters only.
    expect([tunnelStats.stats, agentStats.stats].map((stats) => Object.keys(stats).includes('setupStamps'))).toEqual([false, false]);
    const timing = (JSON.parse(tunnel.stdout[1] ?? '{}') as { timingUs: { setup: { count: number }; toRelayHop: { count: number } } }).timingUs;
    expect(timing.setup.count).toBe(1);
    expect(timing.toRelayHop.count).toBeGreaterThanOrEqual(1);
    expect([...agent.stderr, ...tunnel.stderr, ...agent.stdout, ...tunnel.stdout].join('')).not.toContain(key);
  });

  test('no connection string is a usage error naming the variable, before any socket opens', async () => {
    const run = runCommand(['tunnel'], {});

    const error = await run.done.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('HCBENCH_CONNECTION_STRING');
  });

  test('--run-ms stops the tunnel by itself', async () => {
    const run = runCommand(['tunnel', '--run-ms', '200', '--connection-string', 'Endpoint=ws://127.0.0.1:9/;SharedAccessKeyName=a;SharedAccessKey=b;EntityPath=hc1'], {});

    await run.done;

    expect(run.exit.code).toBe(0);
    expect(run.stderr.join('')).toContain('tunnel: stopped; 0 connections');
  });
});
