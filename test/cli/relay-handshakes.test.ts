// `hcbench relay --handshake-round-trips N`: a real relay process charges every new WebSocket N
// round trips of its leg before its upgrade is handled (here a connect with no listener, refused
// 404 only after them); an out-of-range value is a usage error.

import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { connectUri, parseConnectionString, tokenProvider } from '../../src/azure/connection-string.js';
import { ExitCode } from '../../src/errors.js';
import { spawnCli } from '../helpers/cli-child.js';
import { openWs8 } from '../helpers/relay-raw.js';

describe('hcbench relay --handshake-round-trips', () => {
  test('4 round trips of a 5 ms sender leg: a connect is answered only after (2 × 4 + 2) × 5 ms', async () => {
    const relay = spawnCli(['relay', '--json', '--sender-delay-ms', '5', '--handshake-round-trips', '4']);
    try {
      const [line] = (await once(relay.process.stdout, 'data')) as [Buffer];
      const cs = (JSON.parse(line.toString().split('\n')[0] ?? '') as { connectionStrings: Record<string, string> }).connectionStrings['hcbench'];
      if (cs === undefined) throw new Error(`relay printed no connection string: ${line.toString()}`);
      const connection = parseConnectionString(cs);

      const startMs = performance.now();
      const outcome = await openWs8(connectUri(connection), { token: tokenProvider(connection)() });
      const elapsedMs = performance.now() - startMs;

      expect(outcome).toMatchObject({ kind: 'refused', status: 404 });
      expect(elapsedMs).toBeGreaterThanOrEqual(50 - 0.1);
    } finally {
      relay.process.kill('SIGINT');
      await relay.exited;
    }
  }, 30_000);

  test('a value outside 0–8 is a usage error naming the option', async () => {
    const relay = spawnCli(['relay', '--handshake-round-trips', '9']);
    const exit = await relay.exited;
    expect(exit.code).toBe(ExitCode.Usage);
    expect(relay.stderr()).toContain('--handshake-round-trips');
    expect(relay.stderr()).toContain('must be a whole number from 0 to 8, got "9"');
  }, 30_000);
});
