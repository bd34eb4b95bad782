// The relay's log rate limiter with an injected clock: bursts pass, repeats are summarised with a
// `suppressed` count in the next window, kinds are independent.

import { describe, expect, test } from 'vitest';
import { createRateLimitedLog, type RelayLogEvent } from '../../src/relay/log.js';

describe('createRateLimitedLog', () => {
  test('passes 5 events of a kind per window and reports how many were suppressed', () => {
    let nowMs = 0;
    const events: RelayLogEvent[] = [];
    const log = createRateLimitedLog((event) => events.push(event), { nowMs: () => nowMs });
    const refused: RelayLogEvent = { level: 'info', event: 'handshake-refused', code: 401, hc: 'hc1' };

    for (let index = 0; index < 450; index += 1) log(refused);
    log({ level: 'info', event: 'listener-registered', hc: 'hc1' });
    nowMs = 1000;
    log(refused);

    expect(events.filter((event) => event.event === 'handshake-refused')).toHaveLength(6);
    expect(events.at(-1)).toEqual({ ...refused, suppressed: 445 });
    expect(events.filter((event) => event.event === 'listener-registered')).toHaveLength(1);
  });

  test('is a no-op without a sink', () => {
    expect(() => createRateLimitedLog(undefined)({ level: 'warn', event: 'x' })).not.toThrow();
  });
});
