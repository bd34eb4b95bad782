// The setup-truth entry's arithmetic: what distance each step of a relayed setup is configured to
// cross, and the per-step excess over the zero-distance run. Pure functions, fixed inputs.

import { describe, expect, test } from 'vitest';
import { configuredSetupUs, stepExcess } from '../../bench/entries/setup-truth.js';
import { BUILTIN_NETWORK_PROFILES } from '../../src/scenario/network-profiles.js';

describe('setup-truth', () => {
  test('same-region legs: the upgrade and accept message 6 ms, the rendezvous 5 ms, the first exchange 11 ms, 22 ms in all', () => {
    const profile = BUILTIN_NETWORK_PROFILES['same-region']!;

    const configured = configuredSetupUs(profile.appToRelay.oneWayDelayMs, profile.relayToAgent.oneWayDelayMs);

    expect(configured).toEqual({ senderHandshake: 0, acceptMessage: 6000, rendezvousWebSocket: 5000, firstByte: 11_000, total: 22_000 });
  });

  test('the total is the steps summed for uneven legs, and zero legs configure nothing', () => {
    const uneven = configuredSetupUs(15, 5);

    expect(uneven).toEqual({ senderHandshake: 0, acceptMessage: 35_000, rendezvousWebSocket: 5000, firstByte: 40_000, total: 80_000 });
    expect(configuredSetupUs(0, 0).total).toBe(0);
  });

  test('handshake round trips (TCP, TLS) go to the accept-message step for the sender and the rendezvous step for the listener', () => {
    // Same-region with TCP and TLS 1.3: sender 6 × 0.5 ms + accept 5 ms; rendezvous 5 × 5 ms.
    expect(configuredSetupUs(0.5, 5, 2)).toEqual({ senderHandshake: 0, acceptMessage: 8000, rendezvousWebSocket: 25_000, firstByte: 11_000, total: 44_000 });
  });

  test('excess per step is distance − zero distance − configured; a step missing on either side is left out', () => {
    const configured = configuredSetupUs(0.5, 5);
    const far = { stepSenderHandshakeP50Us: 800, stepAcceptMessageP50Us: 8500, stepRendezvousWebSocketP50Us: 7400, stepFirstByteP50Us: 11_900 };
    const near = { stepSenderHandshakeP50Us: 500, stepAcceptMessageP50Us: 1200, stepRendezvousWebSocketP50Us: 1200 };

    expect(stepExcess(far, near, configured)).toEqual({ excessSenderHandshakeUs: 300, excessAcceptMessageUs: 1300, excessRendezvousWebSocketUs: 1200 });
    expect(stepExcess(far, {}, configured)).toEqual({});
  });
});
