// Entry (#15, #12): how exact the emulated distance is for a NEW relayed connection. `truth`
// judges pooled round trips; a setup crosses the legs as handshakes and control messages instead
// (src/relay/upgrade-routes.ts, the control channel), which keep-hot does not cover. The same
// connection-churn driver (one at a time: connect, one 64 B exchange, close) runs on a relay path
// at the same-region legs and on one at zero distance, interleaved. The hcbench side is the first
// response byte at distance minus the distance its steps are configured to cross; the reference is
// the same at zero distance. A ratio of 1 means the distance was added exactly; the detail has the
// excess per step. Informational: there is no bound to pass yet.

import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { OpenPath } from '../../src/paths/types.js';
import { sharedNowUs } from '../../src/net/shared-clock.js';
import { BUILTIN_NETWORK_PROFILES, relayHandshakeRoundTrips } from '../../src/scenario/network-profiles.js';
import { runWorkload, startOnprem } from '../lib/measure.js';
import type { BenchEntry, Figure } from '../lib/types.js';
import { setupFigure, stepDetail } from './connection-setup.js';
import { ZERO_LEG } from './relay-ping-pong.js';

/** The distance each serial setup step crosses, µs, from the legs' one-way delays (ms). */
export interface ConfiguredSetupUs {
  senderHandshake: number;
  acceptMessage: number;
  rendezvousWebSocket: number;
  firstByte: number;
  total: number;
}

/**
 * What the emulator charges each step of a relayed setup: the sender's upgrade pays its leg both
 * ways up front, after `handshakeRoundTrips` round trips of it (TCP, TLS; inside the accept-message
 * step, where the relay holds the request), and the `accept` message one way of the listener's leg;
 * the listener's rendezvous its handshake round trips and its upgrade one way; the first exchange
 * both legs both ways. The local accept and the sender's TCP connect cross no emulated distance.
 */
export function configuredSetupUs(appToRelayMs: number, relayToAgentMs: number, handshakeRoundTrips = 0): ConfiguredSetupUs {
  const us = (ms: number): number => Math.round(ms * 1000);
  const handshake = 2 * handshakeRoundTrips;
  const steps = {
    senderHandshake: 0,
    acceptMessage: us((handshake + 2) * appToRelayMs + relayToAgentMs),
    rendezvousWebSocket: us((handshake + 1) * relayToAgentMs),
    firstByte: us(2 * (appToRelayMs + relayToAgentMs)),
  };
  return { ...steps, total: steps.senderHandshake + steps.acceptMessage + steps.rendezvousWebSocket + steps.firstByte };
}

const STEP_KEYS = ['SenderHandshake', 'AcceptMessage', 'RendezvousWebSocket', 'FirstByte'] as const;

/** Per-step excess (distance − zero distance − configured), µs, from two `stepDetail` records; keys `excess<Step>Us`. */
export function stepExcess(atDistance: Record<string, number>, atZero: Record<string, number>, configured: ConfiguredSetupUs): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of STEP_KEYS) {
    const far = atDistance[`step${key}P50Us`];
    const near = atZero[`step${key}P50Us`];
    const configuredUs = configured[`${key[0]?.toLowerCase() ?? ''}${key.slice(1)}` as keyof ConfiguredSetupUs];
    if (far !== undefined && near !== undefined) out[`excess${key}Us`] = Math.round(far - near - configuredUs);
  }
  return out;
}

export const setupTruth: BenchEntry = {
  id: 'setup-truth',
  title: 'new relayed connection at the same-region legs: first response byte minus its configured distance, vs the same at zero distance, p50',
  issue: '#12 #15',
  unit: 'µs',
  better: 'lower',
  hcbenchLabel: 'connection-churn, 1 at a time, relay-emulated path at the same-region legs (TCP and TLS handshakes emulated): first-byte p50 minus the configured distance of its steps',
  referenceLabel: 'the same driver on a relay-emulated path at zero distance, same run, interleaved',
  requires: [],
  async setup(ctx) {
    const profile = BUILTIN_NETWORK_PROFILES['same-region'];
    if (profile === undefined) throw new Error('built-in profile same-region is missing');
    const handshakeRoundTrips = relayHandshakeRoundTrips(profile.handshakes);
    const configured = configuredSetupUs(profile.appToRelay.oneWayDelayMs, profile.relayToAgent.oneWayDelayMs, handshakeRoundTrips);
    const onprem = await startOnprem();
    const opened: OpenPath[] = [];
    try {
      opened.push(await openEmulatedRelayPath({ id: 'relay-loopback', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 1 }));
      opened.push(await openEmulatedRelayPath({ id: 'relay', onprem: onprem.role, target: onprem.target, appToRelay: profile.appToRelay, relayToAgent: profile.relayToAgent, handshakeRoundTrips, agents: 1 }));
    } catch (error) {
      for (const path of opened) await path.close();
      await onprem.role.stop();
      throw error;
    }
    const [zeroPath, farPath] = opened as [OpenPath, OpenPath];
    const timing = { warmupMs: 500, durationMs: ctx.isQuick ? 1000 : 2500 };
    const params = { kind: 'connection-churn' as const, connections: 1 };
    let zeroSteps: Record<string, number> = {};
    const measure = async (path: OpenPath): Promise<{ figure: Figure; steps: Record<string, number> }> => {
      const sinceUs = sharedNowUs();
      const figure = setupFigure(await runWorkload(path.dialAddress, params, timing, ctx.signal));
      return { figure, steps: await stepDetail(path, sinceUs) };
    };
    return {
      runHcbench: async () => {
        const { figure, steps } = await measure(farPath);
        const value = figure.value - configured.total;
        return {
          value,
          detail: { ...figure.detail, ...steps, configuredUs: configured.total, firstByteP50Us: figure.value, ...stepExcess(steps, zeroSteps, configured) },
          notes: [
            `same-region legs: app ↔ relay ${profile.appToRelay.oneWayDelayMs} ms, relay ↔ agent ${profile.relayToAgent.oneWayDelayMs} ms one way, ` +
              `${handshakeRoundTrips} handshake round trips (TCP, TLS) per new WebSocket; excess per step against the newest zero-distance round`,
          ],
        };
      },
      runReference: async () => {
        const { figure, steps } = await measure(zeroPath);
        zeroSteps = steps;
        return { ...figure, detail: { ...figure.detail, ...steps } };
      },
      close: async () => {
        for (const path of opened) await path.close();
        await onprem.role.stop();
      },
    };
  },
};
