// The instrument before the system under test: role processes (relay emulator, forwarder, on-prem
// agent and target) run at a lower scheduling priority than the process that generates the load
// and timestamps it. On a real deployment they run on other machines; on one 2-core machine, a
// relay path at full speed keeps three busy processes runnable beside the generator, which then
// waits for a CPU and reads every reply late (measured on chatty-sweep's loopback steps: event-loop
// lateness p75 ~0.5 ms, p95 ~1–2 ms), so its own statistics could not be trusted (issue #12).
// Raising a child's niceness needs no privilege. Opt-in (`HCBENCH_ROLE_NICE=5`), not the default:
// measured in the `truth` A/B (same-region, quiet machine, 2 pairs), it cost the relay path with
// emulated distance 130–330 µs per round trip (relay − direct error 128/128 µs at niceness 0 against
// 459/269 at +5): while the generator polls for a due reply it takes a CPU at a higher weight than
// the relay processes that are about to deliver that reply.

import os from 'node:os';

/** Niceness added to each role process unless HCBENCH_ROLE_NICE says otherwise (none: see above). */
export const DEFAULT_ROLE_NICE = 0;

/** The niceness increment to apply: HCBENCH_ROLE_NICE when it is a whole number in 0..19, else the default. */
export function roleNiceIncrement(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.HCBENCH_ROLE_NICE;
  if (text === undefined || text === '') return DEFAULT_ROLE_NICE;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : DEFAULT_ROLE_NICE;
}

/**
 * Lowers `pid`'s priority to this process's niceness plus `increment` (at most 19); returns the
 * niceness it now has, or undefined when it could not be read or set (the role then runs as is).
 */
export function lowerRolePriority(pid: number | undefined, increment: number = roleNiceIncrement()): number | undefined {
  if (pid === undefined || increment <= 0) return undefined;
  try {
    const nice = Math.min(19, os.getPriority() + increment);
    os.setPriority(pid, nice);
    return os.getPriority(pid);
  } catch {
    return undefined; // a process that already exited, or a platform without priorities
  }
}
