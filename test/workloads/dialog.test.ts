import { describe, expect, test } from 'vitest';
import { dialog } from '../../src/workloads/dialog.js';
import { compileExpectation, decodeBytes } from '../../src/workloads/dialog-script.js';
import { systemClock, type DialogParams } from '../../src/workloads/types.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { hasRedisServer, REDIS_SKIP_REASON, startRedisServer } from '../helpers/target-redis.js';

function run(params: DialogParams, address: { host: string; port: number }) {
  return dialog.run({ dialAddress: address, params, warmupMs: 50, durationMs: 300, signal: AbortSignal.timeout(20_000), clock: systemClock });
}

describe('dialog script', () => {
  test('decodes text escapes, hex and base64', () => {
    expect(decodeBytes('PING\\r\\n')).toEqual(Buffer.from('PING\r\n'));
    expect(decodeBytes('a\\x00\\\\b')).toEqual(Buffer.from([97, 0, 92, 98]));
    expect(decodeBytes('0d 0a', 'hex')).toEqual(Buffer.from('\r\n'));
    expect(decodeBytes('K1BPTkcNCg==', 'base64')).toEqual(Buffer.from('+PONG\r\n'));
    expect(() => decodeBytes('\\q')).toThrow(RangeError);
  });

  test('matchers wait for more, match with the bytes to consume, or report a mismatch', () => {
    const exact = compileExpectation({ exact: '+PONG\\r\\n' });
    const until = compileExpectation({ until: '\\r\\n' });
    const regex = compileExpectation({ regex: '^\\$(\\d+)\\r\\n' });

    expect(exact(Buffer.from('+PO'))).toEqual({ kind: 'more' });
    expect(exact(Buffer.from('+PONG\r\nextra'))).toEqual({ kind: 'match', bytes: 7 });
    expect(exact(Buffer.from('-ERR'))).toEqual({ kind: 'mismatch' });
    expect(until(Buffer.from('+OK\r\n+OK'))).toEqual({ kind: 'match', bytes: 5 });
    expect(regex(Buffer.from('$5\r\nhello'))).toEqual({ kind: 'match', bytes: 4 });
  });
});

describe('dialog workload', () => {
  test('drives the built-in target with a hex request and a byte-count expectation', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    // 16-byte request asking for 5 bytes, then 8 bytes asking for 3.
    const params: DialogParams = {
      kind: 'dialog',
      connections: 2,
      steps: [
        { send: '00000010 00000005 0000000000000000', encoding: 'hex' },
        { expect: { bytes: 5 } },
        { send: '\\x00\\x00\\x00\\x08\\x00\\x00\\x00\\x03' },
        { expect: { bytes: 3 } },
      ],
    };

    const outcome = await run(params, target.address);

    const c = outcome.metrics.counters;
    const w = outcome.metrics.warmupCounters;
    expect(c.errors).toEqual({});
    expect(c.transactions).toBeGreaterThan(0);
    expect(c.roundTrips).toBe(2 * c.transactions);
    expect(c.bytesSent + (w?.bytesSent ?? 0)).toBe(target.stats().bytesReceived);
    expect(c.bytesReceived + (w?.bytesReceived ?? 0)).toBe(target.stats().bytesSent);
  });

  test('counts an unexpected reply as a mismatch', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const outcome = await run({ kind: 'dialog', connections: 1, steps: [{ send: '00000008 00000001', encoding: 'hex' }, { expect: { exact: 'x' } }] }, target.address);

    expect(outcome.metrics.counters.errors.mismatch ?? 0).toBeGreaterThan(0);
    expect(outcome.metrics.counters.transactions).toBe(0);
  });

  const redisTitle = `runs a Redis PING / SET / GET script against a real redis-server${hasRedisServer ? '' : ` (skipped: ${REDIS_SKIP_REASON})`}`;
  test.skipIf(!hasRedisServer)(redisTitle, async ({ onTestFinished }) => {
    const redis = await startRedisServer();
    onTestFinished(() => redis.close());
    const params: DialogParams = {
      kind: 'dialog',
      connections: 2,
      setup: [{ send: 'SELECT 0\\r\\n' }, { expect: { exact: '+OK\\r\\n' } }],
      steps: [
        { send: 'PING\\r\\n' },
        { expect: { exact: '+PONG\\r\\n' } },
        { send: '*3\\r\\n$3\\r\\nSET\\r\\n$5\\r\\nhckey\\r\\n$5\\r\\nhello\\r\\n' },
        { expect: { exact: '+OK\\r\\n' } },
        { send: 'GET hckey\\r\\n' },
        { expect: { regex: '^\\$5\\r\\nhello\\r\\n' } },
      ],
    };

    const outcome = await run(params, redis.address);

    const { counters: c, histograms: h } = outcome.metrics;
    expect(c.errors).toEqual({});
    expect(c.transactions).toBeGreaterThan(0);
    expect(c.roundTrips).toBe(3 * c.transactions);
    expect(c.connectionsOpened).toBe(2);
    expect(h.roundTrip.summary.p50Us).toBeLessThanOrEqual(h.roundTrip.summary.p99Us);
    expect(h.roundTrip.summary.p99Us).toBeLessThanOrEqual(h.roundTrip.summary.maxUs);
  });
});
