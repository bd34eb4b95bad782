// The network delays each measured path had configured (result.topology), as round-trip times,
// so the projection can take them out of the measured costs. Pure; tolerant of older results.

import type { RunResult } from '../metrics/result.js';

/** Round-trip times (ms) of the legs one path had: a leg of one-way delay d and jitter j adds 2·(d + j/2). */
export interface PathRtts {
  directRttMs: number;
  appToRelayRttMs: number;
  relayToAgentRttMs: number;
}

const ZERO: PathRtts = { directRttMs: 0, appToRelayRttMs: 0, relayToAgentRttMs: 0 };

function legRttMs(leg: unknown): number {
  if (typeof leg !== 'object' || leg === null) return 0;
  const { oneWayDelayMs, jitterMs } = leg as { oneWayDelayMs?: unknown; jitterMs?: unknown };
  const delay = typeof oneWayDelayMs === 'number' ? oneWayDelayMs : 0;
  // Uniform jitter in [0, j) adds j/2 on average in each direction.
  const jitter = typeof jitterMs === 'number' ? jitterMs / 2 : 0;
  return 2 * (delay + jitter);
}

function topologyPath(result: RunResult, pathId: string): Record<string, unknown> | undefined {
  const paths = result.topology?.paths;
  if (!Array.isArray(paths)) return undefined;
  return paths.find((p): p is Record<string, unknown> => typeof p === 'object' && p !== null && (p as { id?: unknown }).id === pathId);
}

/** The configured RTTs of path `pathId`; zeros when the result has no topology (older results, loopback). */
export function configuredRtts(result: RunResult, pathId: string): PathRtts {
  const path = topologyPath(result, pathId);
  if (path === undefined) return ZERO;
  return { directRttMs: legRttMs(path['direct']), appToRelayRttMs: legRttMs(path['appToRelay']), relayToAgentRttMs: legRttMs(path['relayToAgent']) };
}

/** Total configured RTT of one path, ms. */
export function totalRttMs(rtts: PathRtts): number {
  return rtts.directRttMs + rtts.appToRelayRttMs + rtts.relayToAgentRttMs;
}

/**
 * The handshake round trips path `pathId` charged each new connection (`handshakeRoundTrips` in its
 * topology); undefined in results from before handshakes were emulated.
 */
export function recordedHandshakeRoundTrips(result: RunResult, pathId: string): number | undefined {
  const value = topologyPath(result, pathId)?.['handshakeRoundTrips'];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 8 ? value : undefined;
}
