// Pure helpers of the tunnel: relay error classification (ws 1.1.5 and ws 8 wording), message
// payload normalisation, the close-code table and the activity deadline.

import { describe, expect, onTestFinished, test, vi } from 'vitest';
import { ActivityDeadline } from '../../src/tunnel/activity-deadline.js';
import { closeReason, isSendableCloseCode, tcpActionForClose } from '../../src/tunnel/close-codes.js';
import { messageToBuffer } from '../../src/net/message-socket.js';
import { classifyRelayError } from '../../src/tunnel/relay-errors.js';
import { ControlChannelClosedError } from '../../src/tunnel/ws8-listener.js';

const withCode = (code: string): Error => Object.assign(new Error(code), { code });

describe('classifyRelayError', () => {
  test.each([
    [new Error('unexpected server response (404)'), 'relay-404'],
    [new Error('Unexpected server response: 401'), 'relay-401'],
    [new Error('Unexpected server response: 403'), 'relay-403'],
    [new Error('unexpected server response (503)'), 'relay-other'],
    [withCode('ECONNREFUSED'), 'relay-unreachable'],
    [withCode('ENOTFOUND'), 'relay-unreachable'],
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'relay-unreachable'],
    [withCode('ECONNRESET'), 'relay-closed'],
    [new ControlChannelClosedError(1011), 'relay-closed'],
    ['invalid server key', 'relay-other'],
    [new Error('something else'), 'other'],
  ] as const)('%s -> %s', (error, kind) => {
    expect(classifyRelayError(error)).toBe(kind);
  });
});

describe('messageToBuffer', () => {
  test('keeps Buffers, encodes strings as UTF-8, joins fragments, copies ArrayBuffers', () => {
    expect(messageToBuffer(Buffer.from('ab')).toString()).toBe('ab');
    expect(messageToBuffer('ü')).toEqual(Buffer.from([0xc3, 0xbc]));
    expect(messageToBuffer([Buffer.from('a'), Buffer.from('b')]).toString()).toBe('ab');
    expect(messageToBuffer(new Uint8Array([1, 2]).buffer)).toEqual(Buffer.from([1, 2]));
    expect(messageToBuffer(undefined).length).toBe(0);
  });
});

describe('close codes', () => {
  test.each([
    [1000, 'fin'],
    [1005, 'fin'],
    [4003, 'fin'],
    [1001, 'reset'],
    [1006, 'reset'],
    [1011, 'reset'],
    [4000, 'reset'],
    [4002, 'reset'],
  ] as const)('close %i -> TCP %s', (code, action) => {
    expect(tcpActionForClose(code)).toBe(action);
  });

  test('sendable codes exclude the reserved 1004-1006 and 1012+ (ws 1.1.5 rejects them)', () => {
    expect([1000, 1001, 1011, 3000, 4999].every(isSendableCloseCode)).toBe(true);
    expect([999, 1004, 1005, 1006, 1012, 2000, 5000].some(isSendableCloseCode)).toBe(false);
  });

  test('close reasons are printable ASCII and at most 123 bytes', () => {
    expect(closeReason('target ECONNREFUSED')).toBe('target ECONNREFUSED');
    expect(closeReason('ü\n'.repeat(100))).toMatch(/^[\x20-\x7e]{123}$/);
  });
});

describe('ActivityDeadline', () => {
  test('fires only after limitMs without touch, and never after clear', () => {
    // Fake timers: the deadline's own clock is injected, its timer is advanced explicitly.
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    let nowMs = 0;
    let fired = 0;
    const deadline = new ActivityDeadline(() => nowMs);

    deadline.set(30, () => (fired += 1));
    nowMs = 20;
    deadline.touch();
    vi.advanceTimersByTime(50);
    const firedBeforeLimit = fired;
    nowMs = 60;
    vi.advanceTimersByTime(50);
    const firedAfterLimit = fired;
    deadline.set(10, () => (fired += 1));
    deadline.clear();
    nowMs = 1000;
    vi.advanceTimersByTime(30);

    expect([firedBeforeLimit, firedAfterLimit, fired]).toEqual([0, 1, 1]);
  });
});
