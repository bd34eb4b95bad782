// No part of a key or signature ever reaches output: a corpus of malformed connection strings built
// around one known key goes through the real commands (agent and tunnel with the flag, env var and
// file forms; run with a relay-azure path and its environment variable), and every output stream and
// every file hcbench wrote is searched for any 8-character piece of the key.

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseConnectionString } from '../../src/azure/connection-string.js';
import { ExitCode } from '../../src/errors.js';
import { startRelay } from '../../src/relay/relay-server.js';

// Base64-like like a real key, and no 8-character piece of it occurs in hcbench's own texts.
const KEY = 'q7Zx9KfW2mLpR4vT8nYc1bHdJ6sGu3eA0oXiQ5wE+/k=';
const NS = 'sb://ns.servicebus.windows.net/';

const corpus: Record<string, string> = {
  'only the key': KEY,
  'only the key, no padding': KEY.slice(0, -1),
  'key containing ;': `Endpoint=${NS};SharedAccessKeyName=root;SharedAccessKey=${KEY.slice(0, 12)};${KEY.slice(12)};EntityPath=hc`,
  'key containing ; then =': `Endpoint=${NS};SharedAccessKeyName=root;SharedAccessKey=${KEY.slice(0, 20)};${KEY.slice(20, 30)}=${KEY.slice(30)};EntityPath=hc`,
  'key as the Endpoint': `Endpoint=${KEY};SharedAccessKeyName=root;SharedAccessKey=${KEY};EntityPath=hc`,
  'key as an Endpoint scheme': `Endpoint=${KEY.replace(/[^A-Za-z]/g, '')}:x;SharedAccessKeyName=root;SharedAccessKey=${KEY};EntityPath=hc`,
  'no Endpoint': `SharedAccessKeyName=root;SharedAccessKey=${KEY};EntityPath=hc`,
  'no key name': `Endpoint=${NS};SharedAccessKey=${KEY};EntityPath=hc`,
  'no EntityPath': `Endpoint=${NS};SharedAccessKeyName=root;SharedAccessKey=${KEY}`,
  'key before Endpoint': `${KEY};Endpoint=${NS}`,
  'key after the last part': `Endpoint=${NS};SharedAccessKeyName=root;SharedAccessKey=${KEY};EntityPath=hc;${KEY}`,
  'key as a key name': `${KEY}=${KEY};Endpoint=${NS}`,
  'empty key name': `=${KEY};Endpoint=${NS}`,
  'repeated key': `Endpoint=${NS};SharedAccessKey=${KEY};SharedAccessKey=${KEY};EntityPath=hc`,
  'signature without EntityPath': `Endpoint=${NS};SharedAccessSignature=SharedAccessSignature sr=x&sig=${encodeURIComponent(KEY)}&se=1&skn=root`,
  'quoted Endpoint': `Endpoint="${NS}";SharedAccessKeyName=root;SharedAccessKey=${KEY};EntityPath=hc`,
  'line breaks': `Endpoint=${NS}\n;SharedAccessKeyName=root\n;SharedAccessKey=${KEY.slice(0, 9)}\n${KEY.slice(9)};EntityPath=hc`,
};

const pieces = Array.from({ length: KEY.length - 7 }, (_, i) => KEY.slice(i, i + 8));
const encodedPieces = pieces.map((p) => encodeURIComponent(p)).filter((p) => !pieces.includes(p));

/** Every 8-character piece of the key (raw or URL-encoded) found in `text`. */
function leaks(text: string): string[] {
  return [...pieces, ...encodedPieces].filter((piece) => text.includes(piece));
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcbench-secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runMain(argv: string[], env: Record<string, string>, cwd: string): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const write = (text: string) => (output += text);
  const exitCode = await main(argv, { stdout: { write }, stderr: { write }, env, cwd, signal: AbortSignal.timeout(60_000) });
  return { exitCode, output };
}

/** Text of every file under `folder`, recursively. */
async function allFiles(folder: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

describe('the corpus', () => {
  test.each(Object.entries(corpus))('%s is refused by the parser with a message free of the key', (_name, text) => {
    const error = (() => {
      try {
        parseConnectionString(text);
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();

    expect(error, 'every corpus entry is malformed').toBeInstanceOf(Error);
    expect(leaks(`${error?.message} ${String(error?.stack)}`)).toEqual([]);
  });
});

describe('commands never print or write any part of the key', () => {
  test.each(Object.entries(corpus))('%s: agent and tunnel (flag, env var, file) and run (relay-azure)', async (name, text) => {
    const work = await mkdtemp(join(dir, 'case-'));
    const stringFile = join(dir, `${name.replace(/\W+/g, '-')}.txt`);
    await writeFile(stringFile, `# the connection string\n${text}\n`);
    await writeFile(join(work, 'azure.yaml'), 'name: azure\ntarget: { kind: tcp-request-response }\npaths: [{ kind: relay-azure }]\nworkload: { kind: tcp-request-response, connections: 1 }\ndurationMs: 200\nwarmupMs: 0\n');
    const env = { HCBENCH_CONNECTION_STRING: text, HCBENCH_RELAY_CONNECTION_STRING: text, MY_STRING: text };

    const runs = [
      await runMain(['agent', '--target', '127.0.0.1:1', '--run-ms', '100', '--connection-string', text], env, work),
      await runMain(['agent', '--target', '127.0.0.1:1', '--run-ms', '100', '--connection-string-env', 'MY_STRING'], env, work),
      await runMain(['--verbose', 'agent', '--target', '127.0.0.1:1', '--run-ms', '100'], env, work),
      await runMain(['tunnel', '--run-ms', '100', '--connection-string-file', stringFile], env, work),
      await runMain(['--verbose', 'tunnel', '--run-ms', '100', '--json', '--connection-string', text], env, work),
      await runMain(['--verbose', 'run', join(work, 'azure.yaml'), '--results-dir', join(work, 'results')], env, work),
    ];

    for (const run of runs) {
      expect(run.exitCode, run.output).not.toBe(ExitCode.Ok);
      expect(run.exitCode, run.output).not.toBe(ExitCode.Internal);
      expect(leaks(run.output), run.output).toEqual([]);
    }
    expect(runs.slice(0, 5).every((run) => run.output.includes('invalid connection string'))).toBe(true);
    expect(runs[5]!.output).toMatch(/the relay connection string is invalid/);
    expect(leaks(await allFiles(work))).toEqual([]);
  }, 60_000);
});

describe('tokens signed with the key never reach output', () => {
  test('a tunnel whose key the relay refuses (401) logs the refusals without the key or any signature', async () => {
    const relay = await startRelay({ namespace: { rules: [{ name: 'root', primaryKey: 'the-relay-knows-another-key', rights: ['Manage'] }], hybridConnections: [{ name: 'hc' }] } });
    try {
      const text = relay.connectionString('hc').replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${KEY}`);
      const controller = new AbortController();
      let output = '';
      const write = (chunk: string) => (output += chunk);
      const exit = main(['--verbose', 'tunnel', '--json', '--connection-string', text], { stdout: { write }, stderr: { write }, env: {}, cwd: dir, signal: controller.signal });
      await expect.poll(() => output.includes('"listening"'), { timeout: 10_000 }).toBe(true);
      const port = Number(/"port":(\d+)/.exec(output)?.[1]);
      expect(port, output).toBeGreaterThan(0);

      for (let i = 0; i < 3; i++) {
        const socket = connect(port, '127.0.0.1');
        await new Promise((resolve) => {
          socket.on('error', () => {});
          socket.on('close', resolve);
        });
      }
      controller.abort();
      expect(await exit).toBe(ExitCode.Ok);

      expect(relay.stats().rejects['unauthorized']).toBe(3);
      expect(output).toMatch(/401/);
      expect(leaks(output)).toEqual([]);
      expect(output).not.toMatch(/sig=(?!<redacted>)/);
      expect(output).not.toMatch(/SharedAccessSignature sr=/);
    } finally {
      await relay.close();
    }
  }, 30_000);
});

describe('namespace files hold keys too', () => {
  test('a syntax error on the line of a key names the line, not its text', async () => {
    const file = join(dir, 'namespace.yaml');
    await writeFile(file, `rules:\n  - { name: r, primaryKey: ${KEY}: x, rights: [Manage] }\nhybridConnections: [{ name: hc }]\n`);

    const run = await runMain(['relay', '--namespace-file', file], {}, dir);

    expect(run.output).toMatch(/not valid JSON or YAML: .* at line 2, column \d+/);
    expect(run.exitCode).toBe(ExitCode.InvalidScenario);
    expect(leaks(run.output)).toEqual([]);
  });
});

describe('command-line mistakes', () => {
  test('a misspelt option with =<connection string> does not echo the value', async () => {
    const text = corpus['key containing ;']!;

    const runs = [
      await runMain(['tunnel', `--connection-strin=${text}`], {}, dir),
      await runMain(['agent', '--target', '127.0.0.1:1', `--conection-string=${KEY}`], {}, dir),
    ];

    for (const run of runs) {
      expect(run.output).toMatch(/unknown option '--conn?ection-strin/);
      expect(run.exitCode).toBe(ExitCode.Usage);
      expect(leaks(run.output)).toEqual([]);
    }
  });
});
