// Soak (#13): N minutes (default 30; `--minutes`, HCBENCH_SOAK_MINUTES; 3 with --quick) of
// connection churn on the relay-emulated path (forwarder in the app-relay-client process, emulator
// in the cloud process, two agents in the onprem process), one minute per step through the real step runner,
// each minute with the next fault action in turn (injected two thirds in, undone at the step's end).
// --quick (without --minutes) uses 30 s steps, so its 3 minutes still fire every action once.
// Every role process's RSS and open fds are sampled every 2.5 s; growth compares the first window
// after warm-up with the last (a third of the rest, 1-5 minutes each; RSS 90th percentiles, fd
// floors; bench/lib/process-samples.ts), on the steady samples only: from 5 s after a step started
// (the previous fault undone) to its fault, so a fault that holds listeners down at the end does
// not hide a leak. Pass/fail per criterion (see
// bench/lib/soak-criteria.ts); the figure is criteria passed, the reference the criteria count.
// The "app" process is the bench process itself: it keeps only counters and fault events of each
// step (soak-criteria.ts SoakStep), and runs with V8's young generation at its final size from
// the start (bench/lib/soak-heap.ts), so its RSS growth is retained memory, not V8 resizing.
// Its heap (used after the last GC, new space, old space, code) is sampled with the RSS.
// Opt-in: runs only with `--only soak`.

import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { OpenPath } from '../../src/paths/types.js';
import type { PlannedFault, PlannedStep } from '../../src/plan/build-plan.js';
import { getHeapSpaceStatistics } from 'node:v8';
import type { StepResult } from '../../src/metrics/result.js';
import { runStep } from '../../src/run/run-step.js';
import { FAULT_ACTIONS } from '../../src/scenario/schema.js';
import { systemClock, type ConnectionChurnParams } from '../../src/workloads/types.js';
import { startOnprem, type Onprem } from '../lib/measure.js';
import { growthOf, growthWindowMs, startProcessSampler } from '../lib/process-samples.js';
import { accountingOf, soakCriteria, soakStepOf, type SoakStep } from '../lib/soak-criteria.js';
import { SOAK_HEAP_FLAGS, hasSoakHeapFlags } from '../lib/soak-heap.js';
import type { BenchEntry, EntryContext, Figure } from '../lib/types.js';
import { ZERO_LEG } from './relay-ping-pong.js';

export const SOAK_DEFAULT_MINUTES = 30;
const QUICK_MINUTES = 3;
const MINUTE_MS = 60_000;
const QUICK_PERIOD_MS = 30_000;
const SAMPLE_PERIOD_MS = 2500;
/** Samples this long after a step started are steady again (previous step's undo done, agents back). */
const SETTLE_MS = 5000;
/** The longest growth window: holds V8's refilled plateau, keeps most of a leak's growth (process-samples.ts growthWindowMs). */
const GROWTH_WINDOW_MAX_MS = 5 * MINUTE_MS;
const CRITERIA_COUNT = 6;

/** Warm-up excluded from the growth comparison: the first 2 minutes (1 below 10 minutes). */
export function soakWarmupMinutes(minutes: number): number {
  return minutes >= 10 ? 2 : 1;
}

/** The fault of step `i` (0-based): the actions in turn, two thirds into the step; stop-agent stops the second agent. */
export function soakFault(i: number, periodMs: number): PlannedFault {
  const action = FAULT_ACTIONS[i % FAULT_ACTIONS.length] ?? 'cut-connections';
  const atMs = Math.round((periodMs * 2) / 3);
  return action === 'stop-agent' ? { atMs, action, agent: 1 } : { atMs, action };
}

const workload: ConnectionChurnParams = {
  kind: 'connection-churn',
  connections: 8,
  requestBytes: 64,
  responseBytes: 64,
  timeoutMs: 2000,
  connectTimeoutMs: 2000,
  load: { model: 'open', ratePerSec: 50, whenBehind: 'drop' },
};

function periodStep(i: number, periodMs: number): PlannedStep {
  return {
    id: `soak-churn@relay-emulated`,
    workloadId: 'soak-churn',
    pathId: 'relay-emulated',
    pathKind: 'relay-emulated',
    repetition: i,
    workload,
    variant: {},
    warmupMs: 0,
    durationMs: periodMs,
  };
}

function describeStep(i: number, total: number, result: StepResult): string {
  const inject = result.faultEvents?.find((e) => e.phase === 'inject');
  const fault = inject === undefined ? 'no fault' : `${inject.action}${inject.outcome === 'failed' ? ` FAILED (${inject.error ?? ''})` : ''}`;
  if (result.status === 'failed') return `step ${i + 1}/${total} ${fault}: step failed: ${result.error.message}`;
  const c = result.metrics.counters;
  const errors = Object.entries(c.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const recovery = inject?.recoveryMs === undefined ? '' : `, recovery ${inject.recoveryMs === null ? 'none in the step' : `${inject.recoveryMs} ms`}`;
  return `step ${i + 1}/${total} ${fault}: ${c.transactions} ok, errors ${errors}${recovery}`;
}

/** This process's V8 heap in bytes: used (live and not yet collected) and the sizes of its main spaces. */
interface HeapSample {
  atMs: number;
  usedBytes: number;
  newSpaceBytes: number;
  oldSpaceBytes: number;
  codeSpaceBytes: number;
}

function heapSample(atMs: number): HeapSample {
  const spaces = new Map(getHeapSpaceStatistics().map((space) => [space.space_name, space]));
  return {
    atMs,
    usedBytes: process.memoryUsage().heapUsed,
    newSpaceBytes: spaces.get('new_space')?.space_size ?? 0,
    oldSpaceBytes: spaces.get('old_space')?.space_size ?? 0,
    codeSpaceBytes: spaces.get('code_space')?.space_size ?? 0,
  };
}

async function soak(ctx: EntryContext, path: OpenPath, onprem: Onprem, minutes: number, periodMs: number): Promise<Figure> {
  const periods = Math.round((minutes * MINUTE_MS) / periodMs);
  // Every role process of the path (app-relay-client: the forwarder; cloud: the emulator), the onprem role and this generator.
  const pids = (): Record<string, number> => ({ app: process.pid, ...path.rolePids, onprem: onprem.role.pid });
  const maxSamples = Math.ceil((minutes * MINUTE_MS) / SAMPLE_PERIOD_MS) + 100;
  const sampler = startProcessSampler(pids, SAMPLE_PERIOD_MS, maxSamples);
  const startMs = performance.now();
  const heap: HeapSample[] = [heapSample(0)];
  const heapTimer = setInterval(() => {
    if (heap.length < maxSamples) heap.push(heapSample(Math.round(performance.now() - startMs)));
  }, SAMPLE_PERIOD_MS);
  const steps: SoakStep[] = [];
  const stepStartsMs: number[] = [];
  try {
    for (let i = 0; i < periods && !ctx.signal.aborted; i++) {
      stepStartsMs.push(Math.round(performance.now() - startMs));
      const result = await runStep(periodStep(i, periodMs), path, { signal: ctx.signal, clock: systemClock, faults: [soakFault(i, periodMs)], log: (line) => ctx.log(`  ${line}`) });
      ctx.log(`  ${describeStep(i, periods, result)}`);
      steps.push(soakStepOf(result));
    }
  } finally {
    sampler.stop();
    clearInterval(heapTimer);
  }
  const warmupMinutes = soakWarmupMinutes(minutes);
  // Baseline: the first window after warm-up, from the actual start of its first step; last: the last window (each 1-5 minutes).
  const baselineFromMs = stepStartsMs[Math.round((warmupMinutes * MINUTE_MS) / periodMs)] ?? Number.POSITIVE_INFINITY;
  const endMs = Math.max(0, ...sampler.samples.map((s) => s.atMs));
  const faultAtMs = soakFault(0, periodMs).atMs;
  const isSteady = (atMs: number): boolean => stepStartsMs.some((start) => atMs >= start + SETTLE_MS && atMs < start + faultAtMs);
  const growth = growthOf(sampler.samples, baselineFromMs, growthWindowMs(baselineFromMs, endMs, MINUTE_MS, GROWTH_WINDOW_MAX_MS), isSteady);
  const criteria = soakCriteria(steps, growth, periods);
  for (const c of criteria) ctx.log(`  ${c.isPassed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  const accounting = accountingOf(steps);
  const detail: Record<string, number> = {
    minutes,
    steps: steps.length,
    stepMs: periodMs,
    warmupMinutes,
    sent: accounting.sent,
    completed: accounting.completed,
    errors: Object.values(accounting.errors).reduce((a, b) => a + b, 0),
    inFlightAtEnd: accounting.stoppedInFlight,
    dropped: accounting.dropped,
    samples: sampler.samples.length,
  };
  for (const g of growth) detail[`${g.role}_${g.figure === 'rssBytes' ? 'rss' : 'fds'}_growthPct`] = Math.round(g.growth * 1000) / 10;
  const lastHeap = heap[heap.length - 1];
  if (lastHeap !== undefined) {
    detail['app_heapUsedMiB_end'] = Math.round(lastHeap.usedBytes / 104857.6) / 10;
    detail['app_newSpaceMiB_end'] = Math.round(lastHeap.newSpaceBytes / 104857.6) / 10;
  }
  return {
    value: criteria.filter((c) => c.isPassed).length,
    detail,
    notes: criteria.map((c) => `${c.isPassed ? 'pass' : 'FAIL'} ${c.name}`),
    data: {
      criteria,
      growth,
      accounting,
      steps: steps.map((s, i) => ({ step: i + 1, startMs: stepStartsMs[i], status: s.status, counters: s.counters, faultEvents: s.faultEvents, error: s.error })),
      samples: sampler.samples,
      appHeap: heap,
      appV8Flags: process.execArgv.filter((flag) => SOAK_HEAP_FLAGS.includes(flag)),
    },
  };
}

export const soakEntry: BenchEntry = {
  id: 'soak',
  title: `relayed connection churn with every fault action once a minute in turn; RSS and fds of every role process; every transaction accounted for`,
  issue: '#13',
  unit: 'criteria',
  better: 'higher',
  hcbenchLabel: `relay-emulated path, 2 agents, connection-churn open 50/s (8 in flight), ${SOAK_DEFAULT_MINUTES} min default (--minutes, HCBENCH_SOAK_MINUTES; ${QUICK_MINUTES} with --quick, in 30 s steps), one step a minute with the next fault two thirds in, samples every 2.5 s (steady ones: 5 s after a step's start until its fault)`,
  referenceLabel: `the criteria count (${CRITERIA_COUNT}): ran every step, RSS growth, fd growth, accounting, faults injected and undone, service back`,
  requires: [],
  rounds: 1,
  isOptIn: true,
  async setup(ctx) {
    const minutes = ctx.soakMinutes ?? (ctx.isQuick ? QUICK_MINUTES : SOAK_DEFAULT_MINUTES);
    const periodMs = ctx.isQuick && ctx.soakMinutes === undefined ? QUICK_PERIOD_MS : MINUTE_MS;
    const onprem = await startOnprem();
    let path: OpenPath;
    try {
      path = await openEmulatedRelayPath({ id: 'relay-emulated', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 2 });
    } catch (error) {
      await onprem.role.stop();
      throw error;
    }
    const periods = Math.round((minutes * MINUTE_MS) / periodMs);
    if (!hasSoakHeapFlags(process.execArgv)) ctx.log(`  note: this process runs without ${SOAK_HEAP_FLAGS.join(' ')}: V8's young generation may grow late and show as RSS growth of "app" (npm run bench adds them for the soak)`);
    ctx.log(`  ${minutes} minutes in ${periods} steps of ${periodMs / 1000} s, warm-up ${soakWarmupMinutes(minutes)} min (excluded from growth), faults: ${Array.from({ length: Math.min(periods, FAULT_ACTIONS.length) }, (_, i) => soakFault(i, periodMs).action).join(', ')}${periods > FAULT_ACTIONS.length ? ', …' : ''}`);
    return {
      runHcbench: () => soak(ctx, path, onprem, minutes, periodMs),
      runReference: async () => ({ value: CRITERIA_COUNT, notes: ['the target: every criterion passes'] }),
      close: async () => {
        await path.close();
        await onprem.role.stop();
      },
    };
  },
};
