// Which frame masking hyco-ws's ws 1.1.5 runs: native through the optional bufferutil that this
// project installs, JavaScript when bufferutil cannot load (proved in a real child process whose
// module resolution refuses bufferutil, as on a platform without a prebuilt binary).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { JAVASCRIPT_MASKING_WARNING, hycoWsFrameMasking } from '../../src/net/frame-masking.js';
import { createDefaultNamespace } from '../../src/relay/namespace.js';
import { startRelay } from '../../src/relay/relay-server.js';
import { spawnCli } from '../helpers/cli-child.js';

const COMPILED = 'dist/net/frame-masking.js';

/** Runs `code` in a child node whose module resolution throws MODULE_NOT_FOUND for bufferutil when `isBlocked`. */
const BLOCK_BUFFERUTIL =
  "const M = require('node:module'); const resolve = M._resolveFilename;" +
  "M._resolveFilename = function (request, ...rest) { if (request === 'bufferutil') { const e = new Error('blocked'); e.code = 'MODULE_NOT_FOUND'; throw e; } return resolve.call(this, request, ...rest); };";

function childOutput(code: string, isBlocked: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = isBlocked ? ['-e', `${BLOCK_BUFFERUTIL}\n${code}`] : ['-e', code];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (exit) => resolve({ code: exit, stdout, stderr })));
}

const PRINT_MASKING = `import(${JSON.stringify(`${process.cwd()}/${COMPILED}`)}).then((m) => process.stdout.write(m.hycoWsFrameMasking()));`;

describe('hyco-ws frame masking', () => {
  test('this install masks natively: bufferutil loads and ws 1.1.5 under hyco-ws uses it', () => {
    const bufferutil = createRequire(import.meta.url)('bufferutil') as { mask: unknown };

    expect(Function.prototype.toString.call(bufferutil.mask)).toContain('[native code]');
    expect(hycoWsFrameMasking()).toBe('native');
  });

  test('without bufferutil ws 1.1.5 falls back to JavaScript masking, and the detection says so', async () => {
    expect(existsSync(COMPILED), `${COMPILED} is missing: run \`npm run build\` (npm test does)`).toBe(true);

    const [normal, blocked] = await Promise.all([childOutput(PRINT_MASKING, false), childOutput(PRINT_MASKING, true)]);

    expect({ code: normal.code, out: normal.stdout, err: normal.stderr }).toEqual({ code: 0, out: 'native', err: '' });
    expect({ code: blocked.code, out: blocked.stdout, err: blocked.stderr }).toEqual({ code: 0, out: 'javascript', err: '' });
  });

  test('hcbench agent started where bufferutil cannot load warns on stderr; where it loads, it does not', async () => {
    const relay = await startRelay({ namespace: createDefaultNamespace('hc1') });
    onTestFinished(() => relay.close());
    const dir = mkdtempSync(join(tmpdir(), 'hcbench-masking-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const preload = join(dir, 'block-bufferutil.cjs');
    writeFileSync(preload, BLOCK_BUFFERUTIL);
    const env = { HCBENCH_CONNECTION_STRING: relay.connectionString('hc1') };
    // The target is never dialled: no connection crosses the agent in this test.
    const args = ['agent', '--target', '127.0.0.1:9'];

    const blocked = spawnCli(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
    onTestFinished(() => void blocked.process.kill('SIGKILL'));
    const normal = spawnCli(args, { env });
    onTestFinished(() => void normal.process.kill('SIGKILL'));
    const [blockedErr] = await Promise.all([blocked.waitForStderr(/agent: warning: /, 20_000), normal.waitForStderr(/agent: listening on /, 20_000)]);
    blocked.process.kill('SIGINT');
    normal.process.kill('SIGINT');
    const exits = await Promise.all([blocked.exited, normal.exited]);

    expect(blockedErr).toContain(`agent: warning: ${JAVASCRIPT_MASKING_WARNING}`);
    expect(normal.stderr()).toContain('agent: stopped;');
    expect(normal.stderr()).not.toContain('agent: warning:');
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
  });
});
