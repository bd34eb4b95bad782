// `hcbench relay` in-process through main(): prints connection strings that hyco-ws peers can use,
// stops cleanly when aborted (Ctrl-C), and reports a bad namespace file with exit 3.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { connectUri, listenUri, parseConnectionString, tokenProvider } from '../../src/azure/connection-string.js';
import { main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { connectHycoSender, startHycoListener } from '../helpers/relay-hyco.js';

function captureIo(signal: AbortSignal): { io: Parameters<typeof main>[1]; stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env: {}, cwd: process.cwd(), signal },
    stdout: () => out,
    stderr: () => err,
  };
}

describe('hcbench relay', () => {
  test('prints one connection string per hybrid connection, relays hyco-ws traffic and stops on abort with exit 0', async () => {
    const controller = new AbortController();
    const { io, stdout, stderr } = captureIo(controller.signal);
    const exit = main(['relay', '--hc', 'alpha', 'beta', '--json'], io);
    onTestFinished(async () => {
      controller.abort();
      await exit;
    });
    await expect.poll(() => stdout().includes('\n'), { timeout: 10_000 }).toBe(true);
    const printed = JSON.parse(stdout().split('\n')[0] ?? '{}') as { url: string; connectionStrings: Record<string, string> };
    const connection = parseConnectionString(printed.connectionStrings['beta'] ?? '');

    const listener = await startHycoListener(listenUri(connection), tokenProvider(connection), (ws) => ws.on('message', (data: string | Buffer) => ws.send(data)));
    const sender = await connectHycoSender(connectUri(connection), tokenProvider(connection)());
    const reply = new Promise<string>((resolve) => sender.once('message', (data: string | Buffer) => resolve(String(data))));
    sender.send('via the cli relay');
    const echoed = await reply;
    sender.close();
    await listener.close();
    controller.abort();

    expect(Object.keys(printed.connectionStrings)).toEqual(['alpha', 'beta']);
    expect(printed.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(echoed).toBe('via the cli relay');
    await expect(exit).resolves.toBe(ExitCode.Ok);
    expect(stderr()).toMatch(/relay stats \{.*"bridgesTotal":1/);
  });

  test('with --tls prints a CA file that exists while running and is removed at stop', async () => {
    const controller = new AbortController();
    const { io, stdout } = captureIo(controller.signal);
    const exit = main(['relay', '--tls', '--json'], io);
    onTestFinished(async () => {
      controller.abort();
      await exit;
    });
    await expect.poll(() => stdout().includes('\n'), { timeout: 10_000 }).toBe(true);
    const printed = JSON.parse(stdout().split('\n')[0] ?? '{}') as { url: string; caCertPath: string };

    expect(printed.url.startsWith('wss://')).toBe(true);
    expect(existsSync(printed.caCertPath)).toBe(true);
    controller.abort();
    await expect(exit).resolves.toBe(ExitCode.Ok);
    expect(existsSync(printed.caCertPath)).toBe(false);
  });

  test('rejects an invalid namespace file with exit 3 and names the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hcbench-relay-cli-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'namespace.yaml');
    await writeFile(file, 'rules:\n  - name: r\n    primaryKey: k\n    rights: [Fly]\nhybridConnections: []\n');
    const { io, stderr } = captureIo(new AbortController().signal);

    const code = await main(['relay', '--namespace-file', file], io);

    expect(code).toBe(ExitCode.InvalidScenario);
    expect(stderr()).toContain('rules[0].rights[0]');
    expect(stderr()).toContain('hybridConnections');
  });

  test('the real bin stops on SIGINT with exit 0 and releases its port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'relay', '--json'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    onTestFinished(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { url } = JSON.parse(line) as { url: string };
    const port = Number(new URL(url).port);

    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    const probe = await fetch(`http://127.0.0.1:${port}/$stats`, { signal: AbortSignal.timeout(5000) }).then(
      () => 'still listening',
      () => 'closed',
    );

    expect(code).toBe(0);
    expect(probe).toBe('closed');
  });

  test('rejects a bad port with exit 2', async () => {
    const { io } = captureIo(new AbortController().signal);

    const code = await main(['relay', '--port', '70000'], io);

    expect(code).toBe(ExitCode.Usage);
  });
});
