// measureTruth's structure, through real role processes (on-prem, cloud, forwarder) at a short
// distance: every path is measured, and the unrecorded warm-up drives a path with distance over
// WARMUP_CONNECTIONS connections (so V8 has optimised the relay's code before anything is
// recorded) while a loopback path keeps one. Counts only, never how exact the emulation is.

import { describe, expect, test } from 'vitest';
import { measureTruth, WARMUP_CONNECTIONS, warmupConnections } from '../../src/calibrate/emulation-truth.js';

describe('measureTruth', () => {
  test('warms a path with distance over many connections then one, a loopback path over one, then measures all four', async () => {
    const figures = await measureTruth(
      { appToRelayMs: 0.5, relayToAgentMs: 0.5 },
      { windowMs: 400, warmupMs: 50, rounds: 1, signal: AbortSignal.timeout(60_000) },
    );
    // the many-connection window, then the one-connection window every path gets
    expect(figures.warmup.direct.connectionsOpened).toBe(WARMUP_CONNECTIONS + 1);
    expect(figures.warmup.relay.connectionsOpened).toBe(WARMUP_CONNECTIONS + 1);
    expect(figures.warmup.directLoopback.connectionsOpened).toBe(1);
    expect(figures.warmup.relayLoopback.connectionsOpened).toBe(1);
    for (const w of Object.values(figures.warmup)) expect(w.roundTrips).toBeGreaterThanOrEqual(w.connectionsOpened);
    for (const n of Object.values(figures.roundTrips)) expect(n).toBeGreaterThan(0);
    expect(figures.configuredRoundTripUs).toBe(2000);
    expect(figures.p50Us.direct).toBeGreaterThan(figures.minUs.direct - 1);
    expect(figures.p50Us.relay).toBeGreaterThan(figures.minUs.relay - 1);
  }, 90_000);

  test('chooses the warm-up connections from the configured round trip', () => {
    expect(warmupConnections(undefined)).toBe(1);
    expect(warmupConnections(0)).toBe(1);
    expect(warmupConnections(11_000)).toBe(WARMUP_CONNECTIONS);
  });
});
