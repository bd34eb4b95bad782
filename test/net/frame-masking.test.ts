// Which frame masking hyco-ws's ws 1.1.5 runs: native through the optional bufferutil that this
// project installs, JavaScript when bufferutil cannot load (proved in a real child process whose
// module resolution refuses bufferutil, as on a platform without a prebuilt binary).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { hycoWsFrameMasking } from '../../src/net/frame-masking.js';

const COMPILED = 'dist/net/frame-masking.js';

/** Runs `code` in a child node whose module resolution throws MODULE_NOT_FOUND for bufferutil when `isBlocked`. */
function childOutput(code: string, isBlocked: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const block =
    "const M = require('node:module'); const resolve = M._resolveFilename;" +
    "M._resolveFilename = function (request, ...rest) { if (request === 'bufferutil') { const e = new Error('blocked'); e.code = 'MODULE_NOT_FOUND'; throw e; } return resolve.call(this, request, ...rest); };";
  const args = isBlocked ? ['-e', `${block}\n${code}`] : ['-e', code];
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
});
