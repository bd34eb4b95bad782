// The agent's backpressure on accept commands (tunnel/accept-pressure.ts): reading pauses when the
// rendezvous sockets plus target sockets reach the budget, stays paused until they are down to three
// quarters of it, and a re-check while paused notices descriptors freed elsewhere (no release call).

import { afterEach, describe, expect, test } from 'vitest';
import { type AcceptPressure, createAcceptPressure } from '../../src/tunnel/accept-pressure.js';

const made: AcceptPressure[] = [];
afterEach(() => {
  for (const p of made.splice(0)) p.stop();
});

function pressure(budget: number, recheckMs = 60_000) {
  const calls: string[] = [];
  let targets = 0;
  let onResume: (() => void) | undefined;
  const p = createAcceptPressure({
    budget,
    targets: () => targets,
    pause: () => calls.push('pause'),
    resume: () => {
      calls.push('resume');
      onResume?.();
    },
    recheckMs,
  });
  made.push(p);
  return {
    p,
    calls,
    setTargets: (n: number) => void (targets = n),
    resumed: () => new Promise<void>((resolve) => (onResume = resolve)),
  };
}

describe('accept pressure', () => {
  test('pauses at the budget (rendezvous + targets), not before; resumes at three quarters, with hysteresis', () => {
    const { p, calls, setTargets } = pressure(8);
    setTargets(3);
    const releases = Array.from({ length: 4 }, () => p.opened());
    expect(p.isPaused()).toBe(false); // 7 in use
    releases.push(p.opened()); // 8
    expect(p.isPaused()).toBe(true);
    expect(calls).toEqual(['pause']);
    releases.pop()?.(); // 7: above 6, still paused
    expect(p.isPaused()).toBe(true);
    releases.pop()?.(); // 6: resume
    expect(p.isPaused()).toBe(false);
    expect(calls).toEqual(['pause', 'resume']);
    expect(p.pauses()).toBe(1);
  });

  test('a release is counted once', () => {
    const { p } = pressure(2);
    const release = p.opened();
    p.opened();
    expect(p.isPaused()).toBe(true);
    release();
    release(); // ignored: 1 in use, not 0
    expect(p.isPaused()).toBe(false);
    p.opened();
    expect(p.isPaused()).toBe(true);
  });

  test('while paused, the re-check resumes once targets have closed elsewhere, and re-pauses a replaced channel until then', async () => {
    const { p, calls, setTargets, resumed } = pressure(4, 5);
    setTargets(4);
    p.opened();
    expect(p.isPaused()).toBe(true);
    const resumedNow = resumed();
    setTargets(1); // 2 in use: at most 3 resumes
    await resumedNow;
    expect(p.isPaused()).toBe(false);
    expect(calls[0]).toBe('pause');
    expect(calls.at(-1)).toBe('resume');
    expect(calls.filter((c) => c === 'resume')).toHaveLength(1);
  });
});
