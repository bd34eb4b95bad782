// What an emulated distance leaves out of a new connection, said where its setup is reported: the
// delays act on messages (and the relay's WebSocket upgrades), while TCP handshakes run on loopback
// and the emulator speaks plain ws:// where Azure Relay takes only wss://. From the configured
// round trips only, so it is a lower bound, never a measurement. Pure.

import type { RunResult } from '../metrics/result.js';
import { configuredRtts } from '../analysis/configured-delays.js';
import type { Verdict } from '../analysis/verdict.js';
import { formatUs } from './format.js';

/**
 * Round trips a new connection pays over the network but not in the emulation, per path kind:
 * direct, its TCP handshake over the `direct` leg; an emulated relay, the TCP handshake and at
 * least one TLS round trip (TLS 1.3 or a resumed 1.2 session; a full 1.2 handshake takes two) of
 * the sender's connection over `appToRelay` and of the listener's rendezvous over `relayToAgent`.
 */
export function missingHandshakeUs(kind: string, rtts: ReturnType<typeof configuredRtts>): number {
  if (kind === 'direct') return rtts.directRttMs * 1000;
  if (kind === 'relay-emulated') return 2 * (rtts.appToRelayRttMs + rtts.relayToAgentRttMs) * 1000;
  return 0;
}

/**
 * The decision block's line on it, or undefined when the verdict timed no connection setup or no
 * compared path had an emulated distance.
 */
export function handshakeNote(verdict: Verdict, result: RunResult): string | undefined {
  if (verdict.relays.every((cost) => cost.connectionSetup === null)) return undefined;
  const parts = verdict.paths
    .map((p) => ({ pathId: p.pathId, kind: p.kind, us: missingHandshakeUs(p.kind, configuredRtts(result, p.pathId)) }))
    .filter((p) => p.us > 0)
    .map((p) => `${p.pathId} +${formatUs(p.us)} (${p.kind === 'direct' ? 'its TCP round trip' : 'TCP and one TLS round trip on each leg'})`);
  if (parts.length === 0) return undefined;
  return `new connections: TCP and TLS handshakes pay no emulated distance; over these distances a new connection would take at least this much more than the setup above: ${parts.join(', ')}`;
}
