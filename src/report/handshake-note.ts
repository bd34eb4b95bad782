// What the handshakes of a new connection cost over the emulated distance, said where its setup is
// reported. The endpoints' TCP connects run on loopback and the emulator speaks plain ws:// where
// Azure Relay takes only wss://, so the paths charge the handshakes themselves (the network
// profile's `handshakes`; recorded per path as `handshakeRoundTrips`). Results from before that get
// what was left out, as a lower bound from the configured round trips. Pure.

import type { RunResult } from '../metrics/result.js';
import { configuredRtts, recordedHandshakeRoundTrips } from '../analysis/configured-delays.js';
import type { Verdict } from '../analysis/verdict.js';
import { formatUs } from './format.js';

/**
 * Round trips a new connection pays over the network but not in an emulation without handshakes
 * (results from before they were emulated), per path kind: direct, its TCP handshake over the
 * `direct` leg; an emulated relay, the TCP handshake and at least one TLS round trip (TLS 1.3 or a
 * resumed 1.2 session; a full 1.2 handshake takes two) of the sender's connection over
 * `appToRelay` and of the listener's rendezvous over `relayToAgent`.
 */
export function missingHandshakeUs(kind: string, rtts: ReturnType<typeof configuredRtts>): number {
  if (kind === 'direct') return rtts.directRttMs * 1000;
  if (kind === 'relay-emulated') return 2 * (rtts.appToRelayRttMs + rtts.relayToAgentRttMs) * 1000;
  return 0;
}

/** What the path's emulated handshakes add to a new connection, µs: `roundTrips` of each of its legs. */
export function emulatedHandshakeUs(kind: string, rtts: ReturnType<typeof configuredRtts>, roundTrips: number): number {
  if (kind === 'direct') return roundTrips * rtts.directRttMs * 1000;
  if (kind === 'relay-emulated') return roundTrips * (rtts.appToRelayRttMs + rtts.relayToAgentRttMs) * 1000;
  return 0;
}

function emulatedPart(pathId: string, kind: string, us: number, roundTrips: number): string {
  if (roundTrips === 0) return `${pathId} none`;
  if (kind === 'direct') return `${pathId} +${formatUs(us)} (TCP's round trip, held after its connect: a client's own connect completes locally and does not show it)`;
  return `${pathId} +${formatUs(us)} (${roundTrips} round trip${roundTrips === 1 ? '' : 's'} on each leg, TCP and TLS, inside its rendezvous)`;
}

/**
 * The decision block's lines on it: none when the verdict timed no connection setup or no compared
 * path had an emulated distance. Paths that recorded their emulated handshakes say what
 * they add; results from before handshakes were emulated get what is missing, as a lower bound.
 */
export function handshakeNote(verdict: Verdict, result: RunResult): string[] {
  if (verdict.relays.every((cost) => cost.connectionSetup === null)) return [];
  const paths = verdict.paths
    .map((p) => ({ pathId: p.pathId, kind: p.kind, rtts: configuredRtts(result, p.pathId), roundTrips: recordedHandshakeRoundTrips(result, p.pathId) }))
    .filter((p) => missingHandshakeUs(p.kind, p.rtts) > 0);
  const emulated = paths.filter((p) => p.roundTrips !== undefined).map((p) => emulatedPart(p.pathId, p.kind, emulatedHandshakeUs(p.kind, p.rtts, p.roundTrips ?? 0), p.roundTrips ?? 0));
  const missing = paths
    .filter((p) => p.roundTrips === undefined)
    .map((p) => `${p.pathId} +${formatUs(missingHandshakeUs(p.kind, p.rtts))} (${p.kind === 'direct' ? 'its TCP round trip' : 'TCP and one TLS round trip on each leg'})`);
  const lines: string[] = [];
  if (emulated.length > 0) lines.push(`new connections: emulated TCP and TLS handshakes add, over these distances: ${emulated.join(', ')}`);
  if (missing.length > 0) lines.push(`new connections: TCP and TLS handshakes pay no emulated distance; over these distances a new connection would take at least this much more than the setup above: ${missing.join(', ')}`);
  return lines;
}
