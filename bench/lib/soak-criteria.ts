// The soak's pass/fail criteria (issue #13 "Soak"), from what it recorded: memory and fd growth
// of every role process after warm-up, every transaction accounted for, every fault injected and
// undone, and service back after each fault. Pure: no I/O, no clocks.

import type { FaultEvent, StepCounters, StepResult } from '../../src/metrics/result.js';
import type { Growth } from './process-samples.js';

/**
 * What the soak keeps of one step: status, counters and fault events. Never the step's histograms
 * and interval histograms, which it does not use: kept for every step they were retained heap
 * that grew with the soak's length (in the bench process whose RSS it judges).
 */
export interface SoakStep {
  status: StepResult['status'];
  /** The measured window's counters; undefined for a failed step. */
  counters: StepCounters | undefined;
  warmupCounters?: StepCounters;
  faultEvents?: FaultEvent[];
  error?: { code: string; message: string };
}

/** The soak's record of a step result (copies only what the criteria and the JSON read). */
export function soakStepOf(result: StepResult): SoakStep {
  const step: SoakStep = { status: result.status, counters: undefined };
  if (result.status === 'failed') step.error = { code: result.error.code, message: result.error.message };
  else {
    step.counters = result.metrics.counters;
    if (result.metrics.warmupCounters !== undefined) step.warmupCounters = result.metrics.warmupCounters;
  }
  if (result.faultEvents !== undefined) step.faultEvents = result.faultEvents;
  return step;
}

/** Faults that hold until their step's undo (every new connection fails meanwhile). */
export const HOLDING_FAULTS: ReadonlySet<string> = new Set(['refuse-accepts', 'disable-hybrid-connection']);

/** Allowed growth of RSS and fds between the first post-warm-up window and the last. */
export const MAX_GROWTH = 0.05;

export interface Criterion {
  name: string;
  isPassed: boolean;
  /** The figures behind the verdict, one line. */
  detail: string;
}

/** Transactions over all steps: sent = completed + errors by kind + stopped in flight at each step's end. */
export interface Accounting {
  sent: number;
  completed: number;
  errors: Record<string, number>;
  stoppedInFlight: number;
  /** Open model: arrivals never sent (generator behind, `whenBehind: drop`); not part of `sent`. */
  dropped: number;
  /** Steps whose own counters do not add up (should be none). */
  unbalancedSteps: number[];
}

export function accountingOf(steps: readonly SoakStep[]): Accounting {
  const total: Accounting = { sent: 0, completed: 0, errors: {}, stoppedInFlight: 0, dropped: 0, unbalancedSteps: [] };
  steps.forEach((step, index) => {
    if (step.status === 'failed') return;
    let sent = 0;
    let accounted = 0;
    for (const c of [step.counters, step.warmupCounters]) {
      if (c === undefined) continue;
      const errors = Object.values(c.errors).reduce<number>((sum, n) => sum + (n ?? 0), 0);
      sent += c.sent ?? 0;
      accounted += c.transactions + errors + (c.stoppedInFlight ?? 0);
      total.sent += c.sent ?? 0;
      total.completed += c.transactions;
      total.stoppedInFlight += c.stoppedInFlight ?? 0;
      total.dropped += c.dropped ?? 0;
      for (const [kind, n] of Object.entries(c.errors)) total.errors[kind] = (total.errors[kind] ?? 0) + (n ?? 0);
    }
    if (sent !== accounted) total.unbalancedSteps.push(index + 1);
  });
  return total;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'n/a');

/** Every criterion with its verdict. `stepsPlanned` is what the soak was asked to run (one fault each). */
export function soakCriteria(steps: readonly SoakStep[], growth: readonly Growth[], stepsPlanned: number): Criterion[] {
  const criteria: Criterion[] = [];
  const completed = steps.filter((s) => s.status === 'completed').length;
  criteria.push({ name: 'ran every step', isPassed: completed === stepsPlanned, detail: `${completed} of ${stepsPlanned} steps completed` });
  for (const figure of ['rssBytes', 'fds'] as const) {
    const rows = growth.filter((g) => g.figure === figure);
    const isPassed = rows.length > 0 && rows.every((g) => Number.isFinite(g.growth) && g.growth <= MAX_GROWTH);
    const fmt = (v: number): string => (figure === 'rssBytes' ? `${(v / 1048576).toFixed(1)} MiB` : String(v));
    criteria.push({
      name: `${figure === 'rssBytes' ? 'RSS (upper envelope: 90th percentile)' : 'open fds (floor: minimum)'} growth <= ${MAX_GROWTH * 100} % after warm-up`,
      isPassed,
      detail:
        rows.length === 0
          ? 'no samples'
          : rows.map((g) => `${g.role} ${fmt(g.baseline)} → ${fmt(g.last)} (${pct(g.growth)}${g.statistic === 'median' ? '' : `; medians ${fmt(g.medians.baseline)} → ${fmt(g.medians.last)}`})`).join(', '),
    });
  }
  const a = accountingOf(steps);
  const errorSum = Object.values(a.errors).reduce((sum, n) => sum + n, 0);
  criteria.push({
    name: 'every transaction accounted for',
    isPassed: a.unbalancedSteps.length === 0 && a.sent === a.completed + errorSum + a.stoppedInFlight && a.sent > 0,
    detail: `sent ${a.sent} = completed ${a.completed} + errors ${errorSum} (${Object.entries(a.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}) + in flight at the end ${a.stoppedInFlight} (arrivals dropped unsent: ${a.dropped})${a.unbalancedSteps.length > 0 ? `; unbalanced steps ${a.unbalancedSteps.join(', ')}` : ''}`,
  });
  const events = steps.flatMap((s) => s.faultEvents ?? []);
  const failed = events.filter((e) => e.outcome === 'failed');
  const injected = events.filter((e) => e.phase === 'inject');
  criteria.push({
    name: 'every fault injected and undone',
    isPassed: failed.length === 0 && injected.length === stepsPlanned && events.length === 2 * stepsPlanned,
    detail: `${injected.length} injected, ${events.length - injected.length} undone, ${failed.length} failed${failed.length > 0 ? `: ${failed.map((e) => `${e.action} ${e.error ?? ''}`).join('; ')}` : ''}`,
  });
  // Service back: a fault that lets new connections through recovers within its step; after a
  // holding fault, the next step (after the undo) completes transactions again.
  const notRecovered: string[] = [];
  steps.forEach((step, index) => {
    for (const e of (step.faultEvents ?? []).filter((x) => x.phase === 'inject')) {
      if (!HOLDING_FAULTS.has(e.action) && e.recoveryMs === null) notRecovered.push(`step ${index + 1} ${e.action}`);
      const next = steps[index + 1];
      if (HOLDING_FAULTS.has(e.action) && next !== undefined && next.status !== 'failed' && (next.counters?.transactions ?? 0) === 0) notRecovered.push(`step ${index + 2} after ${e.action}`);
    }
  });
  const worst = new Map<string, number>();
  for (const e of events) if (typeof e.recoveryMs === 'number') worst.set(e.action, Math.max(worst.get(e.action) ?? 0, e.recoveryMs));
  const recoveries = [...worst].map(([action, ms]) => `${action} <= ${ms} ms`);
  criteria.push({ name: 'service back after every fault', isPassed: notRecovered.length === 0 && events.length > 0, detail: notRecovered.length > 0 ? `not recovered: ${notRecovered.join(', ')}` : `recovered: ${recoveries.join(', ')}` });
  return criteria;
}
