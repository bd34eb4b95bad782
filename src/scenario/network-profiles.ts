// Named network distances, so a run compares the relay with a *fair* direct baseline: the relay
// path's legs (app ↔ relay, relay ↔ agent) and the direct path (app ↔ target over VPN/ExpressRoute)
// get one-way delays that describe the same geography. Pure data; no I/O.

/** One direction-independent leg: applied as a one-way delay in each direction. */
export interface LegProfile {
  /** One-way propagation delay, milliseconds (applied in each direction). */
  oneWayDelayMs: number;
  /** Uniform extra delay in [0, jitterMs), milliseconds; order is preserved. */
  jitterMs: number;
  /** Serialisation rate cap, bytes per second; 0 = unlimited. */
  bandwidthBytesPerSec: number;
}

/**
 * The handshakes a new connection pays over the emulated distance, besides its messages. The
 * endpoints' own TCP connects (and the emulator's plain ws://) complete on loopback, so the path
 * charges them: the direct path's delay proxy reaches the target only after TCP's round trip; the
 * relay holds every new WebSocket's upgrade for TCP's and TLS's round trips of its leg.
 */
export interface HandshakeProfile {
  /** TCP's handshake: one round trip of the leg before the first byte can cross it. */
  tcp: boolean;
  /** TLS round trips of a new wss:// connection to the relay: 1 for TLS 1.3 (or a resumed 1.2 session), 2 for a full TLS 1.2 handshake. */
  tlsRoundTrips: number;
}

/** TCP, and TLS 1.3 to the relay. */
export const DEFAULT_HANDSHAKES: Readonly<HandshakeProfile> = { tcp: true, tlsRoundTrips: 1 };

/** Round trips of the direct leg a new direct connection pays before the target sees it. */
export function directHandshakeRoundTrips(handshakes: HandshakeProfile = DEFAULT_HANDSHAKES): number {
  return handshakes.tcp ? 1 : 0;
}

/** Round trips of its leg each new WebSocket to the relay pays before its upgrade (TCP, then TLS). */
export function relayHandshakeRoundTrips(handshakes: HandshakeProfile = DEFAULT_HANDSHAKES): number {
  return (handshakes.tcp ? 1 : 0) + handshakes.tlsRoundTrips;
}

/** The distances of one geography. */
export interface NetworkProfile {
  /** What it stands for, shown in reports. */
  description: string;
  /** App ↔ target on the direct path (VNet integration over VPN/ExpressRoute). */
  direct: LegProfile;
  /** App (App Service) ↔ relay namespace, on the relay path. */
  appToRelay: LegProfile;
  /** Relay namespace ↔ agent (Hybrid Connection Manager next to the target), on the relay path. */
  relayToAgent: LegProfile;
  /** Handshakes of a new connection; absent = {@link DEFAULT_HANDSHAKES}. */
  handshakes?: HandshakeProfile;
}

const leg = (oneWayDelayMs: number): LegProfile => ({ oneWayDelayMs, jitterMs: 0, bandwidthBytesPerSec: 0 });

/**
 * Built-in profiles. Assumptions (stated so users can replace them with their own numbers):
 * an Azure region to a nearby on-prem site is ~10 ms round trip (5 ms one way); app ↔ relay in the
 * same region ~1 ms round trip; across regions ~30 ms round trip. The direct path crosses the same
 * app ↔ site distance as the relay's second leg, without the detour through the relay.
 */
export const BUILTIN_NETWORK_PROFILES: Readonly<Record<string, NetworkProfile>> = {
  loopback: {
    description: 'no injected delay: the cost of the relay machinery alone',
    direct: leg(0),
    appToRelay: leg(0),
    relayToAgent: leg(0),
  },
  'same-region': {
    description: 'relay namespace in the app\'s region, on-prem site 5 ms away (one way); VNet integration crosses the same 5 ms',
    direct: leg(5),
    appToRelay: leg(0.5),
    relayToAgent: leg(5),
  },
  'cross-region': {
    description: 'relay namespace in another region 15 ms from the app (one way), site 5 ms from the relay; VNet integration 5 ms',
    direct: leg(5),
    appToRelay: leg(15),
    relayToAgent: leg(5),
  },
  'distant-site': {
    description: 'relay namespace in the app\'s region, on-prem site 40 ms away (one way); VNet integration crosses the same 40 ms',
    direct: leg(40),
    appToRelay: leg(0.5),
    relayToAgent: leg(40),
  },
};

export const DEFAULT_NETWORK_PROFILE = 'loopback';
