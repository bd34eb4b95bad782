// Soak (#13): N minutes (default 30; `--minutes`, HCBENCH_SOAK_MINUTES; 3 with --quick) of
// connection churn on the relay-emulated path (forwarder in this process, emulator in the cloud
// process, two agents in the onprem process), one minute per step through the real step runner,
// each minute with the next fault action in turn (injected 20 s in, undone at the minute's end).
// Every role process's RSS and open fds are sampled every 5 s; growth compares the first minute
// after warm-up with the last (RSS medians, fd floors; bench/lib/process-samples.ts). Pass/fail per criterion (see
// bench/lib/soak-criteria.ts); the figure is criteria passed, the reference the criteria count.
// Opt-in: runs only with `--only soak`.

import { openEmulatedRelayPath } from '../../src/paths/relay.js';
import type { OpenPath } from '../../src/paths/types.js';
import type { PlannedFault, PlannedStep } from '../../src/plan/build-plan.js';
import type { StepResult } from '../../src/metrics/result.js';
import { runStep } from '../../src/run/run-step.js';
import { FAULT_ACTIONS } from '../../src/scenario/schema.js';
import { systemClock, type ConnectionChurnParams } from '../../src/workloads/types.js';
import { startOnprem, type Onprem } from '../lib/measure.js';
import { growthOf, startProcessSampler } from '../lib/process-samples.js';
import { accountingOf, soakCriteria } from '../lib/soak-criteria.js';
import type { BenchEntry, EntryContext, Figure } from '../lib/types.js';
import { ZERO_LEG } from './relay-ping-pong.js';

export const SOAK_DEFAULT_MINUTES = 30;
const QUICK_MINUTES = 3;
const MINUTE_MS = 60_000;
const SAMPLE_PERIOD_MS = 5000;
const FAULT_AT_MS = 20_000;
const CRITERIA_COUNT = 6;

/** Warm-up excluded from the growth comparison: the first 2 minutes (1 below 10 minutes). */
export function soakWarmupMinutes(minutes: number): number {
  return minutes >= 10 ? 2 : 1;
}

/** The fault of minute `i` (0-based): the actions in turn; stop-agent stops the second agent. */
export function soakFault(i: number): PlannedFault {
  const action = FAULT_ACTIONS[i % FAULT_ACTIONS.length] ?? 'cut-connections';
  return action === 'stop-agent' ? { atMs: FAULT_AT_MS, action, agent: 1 } : { atMs: FAULT_AT_MS, action };
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

function minuteStep(i: number): PlannedStep {
  return {
    id: `soak-churn@relay-emulated`,
    workloadId: 'soak-churn',
    pathId: 'relay-emulated',
    pathKind: 'relay-emulated',
    repetition: i,
    workload,
    variant: {},
    warmupMs: 0,
    durationMs: MINUTE_MS,
  };
}

function describeMinute(i: number, total: number, result: StepResult): string {
  const inject = result.faultEvents?.find((e) => e.phase === 'inject');
  const fault = inject === undefined ? 'no fault' : `${inject.action}${inject.outcome === 'failed' ? ` FAILED (${inject.error ?? ''})` : ''}`;
  if (result.status === 'failed') return `minute ${i + 1}/${total} ${fault}: step failed: ${result.error.message}`;
  const c = result.metrics.counters;
  const errors = Object.entries(c.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const recovery = inject?.recoveryMs === undefined ? '' : `, recovery ${inject.recoveryMs === null ? 'none in the minute' : `${inject.recoveryMs} ms`}`;
  return `minute ${i + 1}/${total} ${fault}: ${c.transactions} ok, errors ${errors}${recovery}`;
}

async function soak(ctx: EntryContext, path: OpenPath, onprem: Onprem, minutes: number): Promise<Figure> {
  const pids = (): Record<string, number> => ({ app: process.pid, cloud: path.rolePids?.['cloud'] ?? -1, onprem: onprem.role.pid });
  const sampler = startProcessSampler(pids, SAMPLE_PERIOD_MS, Math.ceil((minutes * MINUTE_MS) / SAMPLE_PERIOD_MS) + 100);
  const startMs = performance.now();
  const steps: StepResult[] = [];
  const minuteStartsMs: number[] = [];
  try {
    for (let i = 0; i < minutes && !ctx.signal.aborted; i++) {
      minuteStartsMs.push(Math.round(performance.now() - startMs));
      const result = await runStep(minuteStep(i), path, { signal: ctx.signal, clock: systemClock, faults: [soakFault(i)], log: (line) => ctx.log(`  ${line}`) });
      steps.push(result);
      ctx.log(`  ${describeMinute(i, minutes, result)}`);
    }
  } finally {
    sampler.stop();
  }
  const warmupMinutes = soakWarmupMinutes(minutes);
  // Baseline: the first minute after warm-up, from that minute's actual start; last: the last 60 s.
  const baselineFromMs = minuteStartsMs[warmupMinutes] ?? Number.POSITIVE_INFINITY;
  const growth = growthOf(sampler.samples, baselineFromMs, MINUTE_MS);
  const criteria = soakCriteria(steps, growth, minutes);
  for (const c of criteria) ctx.log(`  ${c.isPassed ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  const accounting = accountingOf(steps);
  const detail: Record<string, number> = {
    minutes: steps.length,
    warmupMinutes,
    sent: accounting.sent,
    completed: accounting.completed,
    errors: Object.values(accounting.errors).reduce((a, b) => a + b, 0),
    inFlightAtEnd: accounting.stoppedInFlight,
    samples: sampler.samples.length,
  };
  for (const g of growth) detail[`${g.role}_${g.figure === 'rssBytes' ? 'rss' : 'fds'}_growthPct`] = Math.round(g.growth * 1000) / 10;
  return {
    value: criteria.filter((c) => c.isPassed).length,
    detail,
    notes: criteria.map((c) => `${c.isPassed ? 'pass' : 'FAIL'} ${c.name}`),
    data: {
      criteria,
      growth,
      accounting,
      minutes: steps.map((s, i) => ({ minute: i + 1, status: s.status, counters: s.status === 'failed' ? undefined : s.metrics.counters, faultEvents: s.faultEvents, error: s.status === 'failed' ? s.error : undefined })),
      samples: sampler.samples,
    },
  };
}

export const soakEntry: BenchEntry = {
  id: 'soak',
  title: `relayed connection churn with every fault action once a minute in turn; RSS and fds of every role process; every transaction accounted for`,
  issue: '#13',
  unit: 'criteria',
  better: 'higher',
  hcbenchLabel: `relay-emulated path, 2 agents, connection-churn open 50/s (8 in flight), ${SOAK_DEFAULT_MINUTES} min default (--minutes, HCBENCH_SOAK_MINUTES; ${QUICK_MINUTES} with --quick), a fault 20 s into each minute, samples every 5 s`,
  referenceLabel: `the criteria count (${CRITERIA_COUNT}): ran every minute, RSS growth, fd growth, accounting, faults injected and undone, service back`,
  requires: [],
  rounds: 1,
  isOptIn: true,
  async setup(ctx) {
    const minutes = ctx.soakMinutes ?? (ctx.isQuick ? QUICK_MINUTES : SOAK_DEFAULT_MINUTES);
    const onprem = await startOnprem();
    let path: OpenPath;
    try {
      path = await openEmulatedRelayPath({ id: 'relay-emulated', onprem: onprem.role, target: onprem.target, appToRelay: ZERO_LEG, relayToAgent: ZERO_LEG, agents: 2 });
    } catch (error) {
      await onprem.role.stop();
      throw error;
    }
    ctx.log(`  ${minutes} minutes, warm-up ${soakWarmupMinutes(minutes)} (excluded from growth), faults: ${Array.from({ length: Math.min(minutes, FAULT_ACTIONS.length) }, (_, i) => soakFault(i).action).join(', ')}, …`);
    return {
      runHcbench: () => soak(ctx, path, onprem, minutes),
      runReference: async () => ({ value: CRITERIA_COUNT, notes: ['the target: every criterion passes'] }),
      close: async () => {
        await path.close();
        await onprem.role.stop();
      },
    };
  },
};
