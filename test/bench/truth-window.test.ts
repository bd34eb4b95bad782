import { expect, test } from 'vitest';
import { TRUTH_PROFILES, truthLoopbackWindowMs, truthRounds, truthWindowMs } from '../../bench/entries/truth.js';
import { BUILTIN_NETWORK_PROFILES } from '../../src/scenario/network-profiles.js';

test('truth windows hold at least 300 configured round trips per path over the rounds (60 quick), never under the loopback window', () => {
  for (const name of TRUTH_PROFILES) {
    const profile = BUILTIN_NETWORK_PROFILES[name]!;
    const roundTripMs = 2 * (profile.appToRelay.oneWayDelayMs + profile.relayToAgent.oneWayDelayMs);
    expect((truthRounds(false) * truthWindowMs(profile, false)) / roundTripMs).toBeGreaterThanOrEqual(300);
    expect((truthRounds(true) * truthWindowMs(profile, true)) / roundTripMs).toBeGreaterThanOrEqual(60);
    expect(truthWindowMs(profile, false)).toBeGreaterThanOrEqual(truthLoopbackWindowMs(false));
  }
  expect(truthRounds(false)).toBe(8);
  expect(truthWindowMs(BUILTIN_NETWORK_PROFILES['same-region']!, false)).toBe(1500);
  expect(truthWindowMs(BUILTIN_NETWORK_PROFILES['distant-site']!, false)).toBe(3240);
});
