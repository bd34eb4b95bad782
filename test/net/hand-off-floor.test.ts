// The hand-off floor (net/hand-off-floor.ts): the running minimum of arrivals until a probing run is
// accepted, then the lowest accepted run median; one run at a time per floor; a run taken while
// busy (median far above its own minimum) is not accepted and a new one may start soon after,
// later after each further refusal; runs are wanted (on live connections' data) until one is accepted.

import { describe, expect, test } from 'vitest';
import { PROBE_ROUNDS } from '../../src/net/hand-off-probe.js';
import {
  createHandOffFloor,
  MAX_RUN_RATIO,
  MAX_RUN_SPREAD_US,
  PROBE_CLAIM_US,
  REPROBE_AFTER_REJECT_US,
  REPROBE_AFTER_US,
  type HandOffFloor,
} from '../../src/net/hand-off-floor.js';

/** Feeds `lessons` as one run of `owner` at `atUs`; returns the time after the last lesson. */
function run(floor: HandOffFloor, owner: object, atUs: number, lessons: (i: number) => number): number {
  expect(floor.claimProbe(owner, atUs)).toBe(true);
  let nowUs = atUs;
  for (let i = 0; i < PROBE_ROUNDS; i += 1) {
    nowUs += 100;
    floor.learn(owner, lessons(i), nowUs);
  }
  return nowUs;
}

describe('hand-off floor', () => {
  test('an accepted run replaces the running minimum by its median, which a faster arrival no longer lowers', () => {
    const floor = createHandOffFloor();
    expect(floor.releaseAt(10_000, 1_000, 1_018)).toBe(10_018); // running minimum: 18 µs
    expect(floor.probedUs).toBeUndefined();
    // Lessons 20..83 µs: median 51.5, minimum 20 (spread 31.5, accepted).
    run(floor, {}, 2_000, (i) => 20 + i);
    expect(floor.probeRuns).toBe(1);
    expect(floor.probedUs).toBe(51.5);
    expect(floor.releaseAt(20_000, 0, 0)).toBe(20_051.5);
    expect(floor.releaseAt(30_000, 29_000, 29_005)).toBe(30_051.5); // a 5 µs arrival does not lower it
  });

  test('a run whose median is more than MAX_RUN_SPREAD_US above its minimum is not accepted; a new run may start REPROBE_AFTER_REJECT_US later', () => {
    const floor = createHandOffFloor();
    // Half the lessons hot (30 µs), half busy (2 ms): median 1,015 µs, far above 30 + MAX_RUN_SPREAD_US.
    const endUs = run(floor, {}, 1_000, (i) => (i % 2 === 0 ? 30 : 2_000));
    expect(floor.probeRuns).toBe(1);
    expect(floor.probedUs).toBeUndefined();
    expect(floor.releaseAt(50_000, 0, 0)).toBe(50_030); // its lessons still lowered the running minimum
    const next = {};
    expect(floor.claimProbe(next, endUs + REPROBE_AFTER_REJECT_US - 1)).toBe(false);
    run(floor, next, endUs + REPROBE_AFTER_REJECT_US, () => 40 + MAX_RUN_SPREAD_US / 2);
    expect(floor.probedUs).toBe(40 + MAX_RUN_SPREAD_US / 2);
  });

  test('the lowest accepted median wins; a later, slower run does not raise the floor', () => {
    const floor = createHandOffFloor();
    const endUs = run(floor, {}, 1_000, () => 45);
    const laterEndUs = run(floor, {}, endUs + REPROBE_AFTER_US, () => 70);
    expect(floor.probeRuns).toBe(2);
    expect(floor.probedUs).toBe(45);
    run(floor, {}, laterEndUs + REPROBE_AFTER_US, () => 35);
    expect(floor.probedUs).toBe(35);
  });

  test('one run at a time: another owner is refused while a run is live, and takes over once it has been silent for PROBE_CLAIM_US', () => {
    const floor = createHandOffFloor();
    const first = {};
    const second = {};
    expect(floor.claimProbe(first, 1_000)).toBe(true);
    floor.learn(first, 30, 1_100);
    expect(floor.claimProbe(second, 1_100 + PROBE_CLAIM_US - 1)).toBe(false);
    floor.learn(second, 5, 1_200); // not its run: ignored
    expect(floor.releaseAt(9_000, 0, 0)).toBe(9_030);
    // The first run's connection went away: after PROBE_CLAIM_US of silence the second starts afresh.
    const takeOverUs = 1_100 + PROBE_CLAIM_US;
    expect(floor.claimProbe(second, takeOverUs)).toBe(true);
    floor.learn(first, 1, takeOverUs + 1); // the first run's late pong: ignored
    for (let i = 0; i < PROBE_ROUNDS; i += 1) floor.learn(second, 60, takeOverUs + 100 * (i + 1));
    expect(floor.probeRuns).toBe(1);
    expect(floor.probedUs).toBe(60); // a run of the second's lessons only
  });

  test('never adds more than 1 ms, and ignores negative or non-numeric lessons', () => {
    const floor = createHandOffFloor();
    const owner = {};
    expect(floor.claimProbe(owner, 0)).toBe(true);
    floor.learn(owner, -5, 10);
    floor.learn(owner, Number.NaN, 20);
    expect(floor.releaseAt(1_000, 0, 0)).toBe(1_000); // nothing learnt yet
    run(floor, owner, 30, () => 4_000);
    expect(floor.probedUs).toBe(4_000);
    expect(floor.releaseAt(1_000, 0, 0)).toBe(2_000);
  });

  test('a run spread wider than MAX_RUN_SPREAD_US is still accepted while its median is within MAX_RUN_RATIO × its minimum (a slower machine)', () => {
    // Minimum 60, median 210: spread 150 > MAX_RUN_SPREAD_US and 3.5× > MAX_RUN_RATIO: refused.
    const other = createHandOffFloor();
    run(other, {}, 1_000, (i) => (i % 2 === 0 ? 60 : 360));
    expect(other.probedUs).toBeUndefined();
    expect(210).toBeGreaterThan(MAX_RUN_RATIO * 60);
    // Spread 150 but 2.5 × its minimum of 100: accepted.
    const slow = createHandOffFloor();
    run(slow, {}, 1_000, (i) => (i % 2 === 0 ? 100 : 400));
    expect(slow.probedUs).toBe(250);
    expect(250 - 100).toBeGreaterThan(MAX_RUN_SPREAD_US);
  });

  test('after each further refused run the wait doubles, up to REPROBE_AFTER_US; an accepted run resets it', () => {
    const floor = createHandOffFloor();
    const busy = (i: number): number => (i % 2 === 0 ? 30 : 2_000);
    let endUs = run(floor, {}, 0, busy);
    const waits: number[] = [];
    for (let refusal = 2; refusal <= 6; refusal += 1) {
      const wait = Math.min(REPROBE_AFTER_US, REPROBE_AFTER_REJECT_US * 2 ** (refusal - 2));
      expect(floor.claimProbe({}, endUs + wait - 1)).toBe(false);
      endUs = run(floor, {}, endUs + wait, busy);
      waits.push(wait);
    }
    expect(waits).toEqual([1_000_000, 2_000_000, 4_000_000, 8_000_000, 10_000_000]);
    expect(floor.probeRuns).toBe(6);
    expect(floor.probedUs).toBeUndefined();
    // The next run waits the cap and is accepted; the wait after a later refusal starts over.
    endUs = run(floor, {}, endUs + REPROBE_AFTER_US, () => 40);
    expect(floor.probedUs).toBe(40);
    endUs = run(floor, {}, endUs + REPROBE_AFTER_US, busy);
    expect(floor.claimProbe({}, endUs + REPROBE_AFTER_REJECT_US - 1)).toBe(false);
    expect(floor.claimProbe({}, endUs + REPROBE_AFTER_REJECT_US)).toBe(true);
  });

  test('runs are wanted until one is accepted; after it the next may start only REPROBE_AFTER_US later', () => {
    const floor = createHandOffFloor();
    expect(floor.isProbeWanted).toBe(true);
    let endUs = run(floor, {}, 0, (i) => (i % 2 === 0 ? 30 : 2_000)); // refused
    expect(floor.isProbeWanted).toBe(true);
    endUs = run(floor, {}, endUs + REPROBE_AFTER_REJECT_US, () => 45);
    expect(floor.probedUs).toBe(45);
    expect(floor.isProbeWanted).toBe(false);
    expect(floor.claimProbe({}, endUs + REPROBE_AFTER_US - 1)).toBe(false);
    expect(floor.claimProbe({}, endUs + REPROBE_AFTER_US)).toBe(true);
  });
});
