// The hot hand-off of a timed hop (net/timed-socket.ts, relay/bridge.ts): what a release at due
// adds on top of the configured distance, learnt by ping-pong probes (net/hand-off-probe.ts, createHopProber in net/timed-socket.ts) and
// shared by every connection of an endpoint on that hop.

import { PROBE_ROUNDS } from './hand-off-probe.js';

/**
 * The hot hand-off of a hop (µs): what a release at due adds, so that the distance is added to the
 * machinery a zero-distance run pays. One floor serves every connection of an endpoint on that hop
 * (the forwarder's, the agent's, each direction of the relay's): the hand-off is the machinery's
 * between the same processes, not the connection's. Probing every new connection (PROBE_ROUNDS
 * ping-pongs at each of four hop ends) was 512 frames per relayed connection: under connection
 * churn at 50/s it took the CPUs the releases needed (relay lateness p50 73–177 µs against 5–12 µs
 * with probes once per endpoint).
 *
 * The estimate is the median of one probing run (PROBE_ROUNDS ping-pongs on one connection), the
 * lowest such median once there are several. Measured (truth, 2026-12-02): the running minimum
 * over every arrival and probe of every connection, which this used to be, fell to 17–28 µs,
 * 20–30 µs below a typical hot hand-off, so each relayed traversal at distance read that much
 * short of the machinery (relay error per traversal −11 to −31 µs in every profile). Runs are
 * one at a time per floor: 32 connections opened at once used to probe together (2,048
 * lessons in one floor), and their ping-pongs took milliseconds, the CPUs busy with each other.
 * A run whose median is both more than MAX_RUN_SPREAD_US above its own fastest lesson and more than
 * MAX_RUN_RATIO times it was taken while the processes were busy with something else (a first run
 * during 32 connections' warm-up read a 2.4 ms median with a 53 µs minimum, later runs 32–48 µs
 * medians): it teaches nothing but the minimum. The ratio keeps a slower machine's ordinary runs
 * (2026-12-03, same VM kind: medians up to 205 µs over minimums of 58–92 µs, 1.9–3.1×) from all
 * being refused there. A new run may start REPROBE_AFTER_REJECT_US after a refused one, twice as
 * long after each further refusal (at most REPROBE_AFTER_US).
 *
 * A refused run leaves its hop end on the running minimum, well below any run's median, and one
 * long-lived connection has no later connection to probe again (2026-12-03, one connection at 5 ms
 * per leg, five runs: 7 of 20 hop ends refused at open). So while no run is accepted
 * (HandOffFloor.isProbeWanted), a live connection's data arrivals start a run whenever the floor
 * grants one. Probing on until a second run was accepted was tried: runs a second after open read
 * lower (37–124 µs against 96–237 µs at open), and the lower floors made the relay read short in
 * `truth` (relay error per traversal −35/+0/−4, −30/−3/−15 and, in a whole `npm run bench`,
 * −37/−16/−36 µs: 1 of 3 profiles; the rule before, probing only as connections open, the same
 * day: −20/+9/−21, 3 of 3): a hot ping-pong is faster than the hand-offs a zero-distance run
 * pays on a slow-waking machine.
 * Until a run is accepted (and with HCBENCH_KEEP_HOT=0, which never probes) the floor is the
 * running minimum of what arrived.
 */
export interface HandOffFloor {
  /** Learns from one arrival and returns the release time of a message due at `dueUs`. */
  releaseAt(dueUs: number, sentUs: number, arrivedUs: number): number;
  /**
   * Whether `owner` may probe now: no other run is live (a run not heard of for PROBE_CLAIM_US is
   * given up: its connection closed), and the last completed run is at least REPROBE_AFTER_US old.
   */
  claimProbe(owner: object, nowUs: number): boolean;
  /** Learns one hot hand-off estimate (µs) of `owner`'s run (ignored from anyone else). */
  learn(owner: object, handOffUs: number, nowUs: number): void;
  /** Probing runs completed (accepted or not). */
  readonly probeRuns: number;
  /** The accepted estimate, µs (the lowest accepted run median); undefined before one. */
  readonly probedUs: number | undefined;
  /** True while no run is accepted: a live connection may start one on its next data arrival, if claimProbe grants it. */
  readonly isProbeWanted: boolean;
}

/** A probing run not heard of for this long is given up, µs. */
export const PROBE_CLAIM_US = 200_000;
/** A later connection of a hop end probes again once the last accepted run is this old, µs: the lowest run median wins, so one run at a busy moment does not stick. Also the longest wait after refused runs. */
export const REPROBE_AFTER_US = 10_000_000;
/** A run whose median exceeds its fastest lesson by more than this, µs, is not accepted (see {@link HandOffFloor}). */
export const MAX_RUN_SPREAD_US = 100;
/** ... and refused when its median is also more than this many times its fastest lesson. */
export const MAX_RUN_RATIO = 3;
/** After a refused run a hop end may probe again after this long, µs (doubled after each further refusal, at most REPROBE_AFTER_US). */
export const REPROBE_AFTER_REJECT_US = 1_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A new floor for one hop (one direction, shared by an endpoint's connections). Bounded: at most 1 ms is ever added. */
export function createHandOffFloor(): HandOffFloor {
  let minUs = Number.POSITIVE_INFINITY;
  let probedUs = Number.POSITIVE_INFINITY;
  let probeRuns = 0;
  let refusedInARow = 0;
  let nextRunUs = Number.NEGATIVE_INFINITY;
  let claim: { owner: object; untilUs: number; lessons: number[] } | undefined;
  const lower = (handOffUs: number): void => {
    if (handOffUs >= 0 && handOffUs < minUs) minUs = handOffUs;
  };
  return {
    claimProbe(owner, nowUs) {
      if (claim !== undefined && claim.owner !== owner && nowUs < claim.untilUs) return false;
      if (claim?.owner !== owner) {
        if (nowUs < nextRunUs) return false;
        claim = { owner, untilUs: 0, lessons: [] };
      }
      claim.untilUs = nowUs + PROBE_CLAIM_US;
      return true;
    },
    learn(owner, handOffUs, nowUs) {
      if (claim?.owner !== owner || !(handOffUs >= 0)) return;
      lower(handOffUs);
      claim.untilUs = nowUs + PROBE_CLAIM_US;
      claim.lessons.push(handOffUs);
      if (claim.lessons.length < PROBE_ROUNDS) return;
      const runMedianUs = median(claim.lessons);
      const fastestUs = Math.min(...claim.lessons);
      const isAccepted = runMedianUs - fastestUs <= MAX_RUN_SPREAD_US || runMedianUs <= MAX_RUN_RATIO * fastestUs;
      if (isAccepted) probedUs = Math.min(probedUs, runMedianUs);
      probeRuns += 1;
      refusedInARow = isAccepted ? 0 : refusedInARow + 1;
      nextRunUs = nowUs + (isAccepted ? REPROBE_AFTER_US : Math.min(REPROBE_AFTER_US, REPROBE_AFTER_REJECT_US * 2 ** (refusedInARow - 1)));
      claim = undefined;
    },
    get probeRuns() {
      return probeRuns;
    },
    get probedUs() {
      return Number.isFinite(probedUs) ? probedUs : undefined;
    },
    get isProbeWanted() {
      return !Number.isFinite(probedUs);
    },
    releaseAt(dueUs, sentUs, arrivedUs) {
      if (sentUs > 0) lower(arrivedUs - sentUs);
      const floorUs = Number.isFinite(probedUs) ? probedUs : minUs;
      return dueUs + (Number.isFinite(floorUs) ? Math.min(floorUs, 1000) : 0);
    },
  };
}
