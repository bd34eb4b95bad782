// The steps of one relayed connection's setup, from stamps the forwarder and the agent take on the
// machine's shared monotonic clock (net/shared-clock.ts) and join by the sender's tracking id
// (`sb-hc-id`, which the relay echoes in the accept address). Pure data: shapes and the join.

/** Stamps (shared-clock µs) the forwarder takes for one connection. */
export interface ForwarderSetupStamps {
  /** The sender's tracking id (`sb-hc-id` on the connect URI). */
  id: string;
  /** Local TCP connection accepted. */
  acceptedUs: number;
  /** Sender WebSocket about to be created (setup slot taken, token and URI ready). */
  startedUs: number;
  /** Sender's TCP connection to the relay up; its upgrade request goes out now. Absent when not seen. */
  connectedUs?: number;
  /** Sender's 101 received: the relayed WebSocket is open. */
  openUs: number;
  /** First byte from the relay written to the local socket. */
  firstByteUs?: number;
}

/** Stamps (shared-clock µs) the agent takes for one connection. */
export interface AgentSetupStamps {
  /** The sender's tracking id, read from the accept address's `sb-hc-id`. */
  id: string;
  /** The `accept` control message handled: the rendezvous WebSocket and the target connect start. */
  offeredUs: number;
  /** The listener's rendezvous WebSocket open (its 101 received). */
  openUs?: number;
  /** Target TCP connect completed. */
  targetUs?: number;
}

/**
 * The setup of one connection in steps, µs. The serial steps (`localAccept` … `firstByte`) follow
 * one another, so they sum to `totalUs` (local accept → first response byte at the forwarder);
 * `targetConnect` runs beside `rendezvousWebSocket` (both start on the accept message).
 */
export interface SetupSteps {
  /** Local accept → sender WebSocket about to be created (setup gate, token, URI: the forwarder's own work). */
  localAccept: number;
  /** Creating the sender WebSocket (client library, TCP connect) → its TCP connection up, the upgrade request going out. */
  senderHandshake: number;
  /**
   * Upgrade request sent → the agent's 'connection' for it: the relay reads the request, authorizes,
   * sends `accept`; the listener parses it and creates its rendezvous WebSocket (hyco-ws emits
   * 'connection' only after that, so the listener's synchronous WebSocket creation falls here).
   */
  acceptMessage: number;
  /** Accept message handled → the sender's WebSocket open (listener's rendezvous WebSocket, then both 101s). */
  rendezvousWebSocket: number;
  /** Sender open → first response byte written to the local client (first message, both ways). */
  firstByte: number;
  /** Accept message handled → target connected (in parallel with the rendezvous WebSocket). */
  targetConnect: number;
  /** Local accept → first response byte at the forwarder. */
  totalUs: number;
}

/** The serial steps in order (they sum to `totalUs`). */
export const SERIAL_SETUP_STEPS = ['localAccept', 'senderHandshake', 'acceptMessage', 'rendezvousWebSocket', 'firstByte'] as const;

/** Human names of the steps, for tables. */
export const SETUP_STEP_LABELS: Record<keyof Omit<SetupSteps, 'totalUs'>, string> = {
  localAccept: 'local accept',
  senderHandshake: 'sender WebSocket handshake',
  acceptMessage: 'accept control message',
  rendezvousWebSocket: "listener's rendezvous WebSocket",
  firstByte: 'first byte',
  targetConnect: 'target connect (in parallel)',
};

/** The tracking id a sender put into `sb-hc-id`, from an accept id or address (`<id>_G…` suffixes dropped). */
export function trackingIdOf(acceptId: string): string {
  const end = acceptId.indexOf('_');
  return end < 0 ? acceptId : acceptId.slice(0, end);
}

/**
 * Joins forwarder and agent stamps by id into per-connection steps. Connections without a first
 * byte, without the agent's side, or whose stamps are out of order (a clock that is not shared, an
 * id seen twice) are left out; the count left out is returned so nothing is dropped silently.
 */
export function joinSetupSteps(
  forwarder: readonly ForwarderSetupStamps[],
  agent: readonly AgentSetupStamps[],
): { steps: SetupSteps[]; unmatched: number; disordered: number } {
  const byId = new Map<string, AgentSetupStamps | null>();
  for (const stamps of agent) byId.set(stamps.id, byId.has(stamps.id) ? null : stamps);
  const steps: SetupSteps[] = [];
  let unmatched = 0;
  let disordered = 0;
  for (const f of forwarder) {
    const a = byId.get(f.id);
    if (a === undefined || a === null || f.firstByteUs === undefined || a.targetUs === undefined) {
      unmatched += 1;
      continue;
    }
    const connectedUs = f.connectedUs ?? f.startedUs;
    const chain = [f.acceptedUs, f.startedUs, connectedUs, a.offeredUs, f.openUs, f.firstByteUs];
    if (chain.some((value, i) => i > 0 && value < (chain[i - 1] ?? value)) || a.targetUs < a.offeredUs) {
      disordered += 1;
      continue;
    }
    steps.push({
      localAccept: f.startedUs - f.acceptedUs,
      senderHandshake: connectedUs - f.startedUs,
      acceptMessage: a.offeredUs - connectedUs,
      rendezvousWebSocket: f.openUs - a.offeredUs,
      firstByte: f.firstByteUs - f.openUs,
      targetConnect: a.targetUs - a.offeredUs,
      totalUs: f.firstByteUs - f.acceptedUs,
    });
  }
  return { steps, unmatched, disordered };
}

/** Every step's name, serial ones first, then the parallel target connect and the total. */
export const SETUP_STEP_KEYS = [...SERIAL_SETUP_STEPS, 'targetConnect', 'totalUs'] as const;

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Forwarder stamps read from an untrusted value (a result file): well-formed entries only. */
export function readForwarderStamps(value: unknown): ForwarderSetupStamps[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is ForwarderSetupStamps => {
    const s = item as Partial<ForwarderSetupStamps> | null;
    return typeof s === 'object' && s !== null && typeof s.id === 'string' && isFiniteNumber(s.acceptedUs) && isFiniteNumber(s.startedUs) && isFiniteNumber(s.openUs)
      && (s.connectedUs === undefined || isFiniteNumber(s.connectedUs)) && (s.firstByteUs === undefined || isFiniteNumber(s.firstByteUs));
  });
}

/** Agent stamps read from an untrusted value (a result file): well-formed entries only. */
export function readAgentStamps(value: unknown): AgentSetupStamps[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is AgentSetupStamps => {
    const s = item as Partial<AgentSetupStamps> | null;
    return typeof s === 'object' && s !== null && typeof s.id === 'string' && isFiniteNumber(s.offeredUs)
      && (s.openUs === undefined || isFiniteNumber(s.openUs)) && (s.targetUs === undefined || isFiniteNumber(s.targetUs));
  });
}
