import { expect, test } from 'vitest';
import { TRUTH_PROFILES, truthWindowMs } from '../../bench/entries/truth.js';
import { BUILTIN_NETWORK_PROFILES } from '../../src/scenario/network-profiles.js';

test('truth windows hold at least 75 configured round trips per path and round (30 quick), never under the base window', () => {
  for (const name of TRUTH_PROFILES) {
    const profile = BUILTIN_NETWORK_PROFILES[name]!;
    const roundTripMs = 2 * (profile.appToRelay.oneWayDelayMs + profile.relayToAgent.oneWayDelayMs);
    expect(truthWindowMs(profile, false) / roundTripMs).toBeGreaterThanOrEqual(75);
    expect(truthWindowMs(profile, true) / roundTripMs).toBeGreaterThanOrEqual(30);
    expect(truthWindowMs(profile, false)).toBeGreaterThanOrEqual(2500);
  }
  expect(truthWindowMs(BUILTIN_NETWORK_PROFILES['same-region']!, false)).toBe(2500);
  expect(truthWindowMs(BUILTIN_NETWORK_PROFILES['distant-site']!, false)).toBe(6075);
});
