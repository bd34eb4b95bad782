// Runs transactions under a load model, shared by all transaction-shaped drivers: closed (each
// slot starts its next transaction when the previous ends) or open (arrivals on an absolute
// schedule, one global FIFO that any free slot serves, queue or drop when behind). It records
// scheduling counters and the open model's response/service/dispatch-lag/pool-wait histograms;
// what a transaction does (sockets, bytes) is the driver's `execute`. It never throws for SUT
// failures. Dispatch lag is only the generator's own lateness (how late it acted when it was free
// to act); the time an arrival waited for a free slot (a pooled connection) is the system's
// queueing, recorded as pool wait: lag + pool wait + service time = response time.

import type { Phase, StepRecorder } from '../metrics/recorder.js';
import type { Clock, LoadModel, OpenLoad } from './types.js';
import { createArrivalSchedule } from './schedule.js';
import { msToNs, pause, phaseAt, waitUntil, type RunWindow } from './run-window.js';

/** One transaction handed to a slot. Times are clock ns. */
export interface Dispatch {
  phase: Phase;
  /** Slot index in 0..slots-1; a slot runs one transaction at a time (e.g. owns one connection). */
  slot: number;
  /** Open model: the scheduled start; undefined in the closed model. */
  intendedNs: bigint | undefined;
  dispatchNs: bigint;
}

/** What `execute` reports: completion time of a successful transaction, or failure (already counted). */
export type ExecuteResult = { ok: true; endNs: bigint } | { ok: false };

/** An arrival waiting for a free slot: when it was due and when the generator noticed it. */
interface QueuedArrival {
  intendedNs: bigint;
  /** When the generator handled the arrival and found no free slot (its lateness ends here). */
  observedNs: bigint;
  phase: Phase;
}

/**
 * Splits the wait of an arrival from its intended start to its dispatch into the generator's own
 * lateness (dispatch lag) and the wait for a free slot (pool wait, the system's queueing).
 * `freedNs` is when the slot that serves it became free (the previous transaction's end), or
 * undefined for an arrival dispatched at once. Exported for tests.
 */
export function splitWait(intendedNs: bigint, dispatchNs: bigint, queued?: { observedNs: bigint; freedNs: bigint }): { lagNs: bigint; poolWaitNs: bigint } {
  const totalNs = dispatchNs > intendedNs ? dispatchNs - intendedNs : 0n;
  if (queued === undefined) return { lagNs: totalNs, poolWaitNs: 0n };
  // Waiting starts when the generator saw the arrival, ends when a slot freed; never more than the total.
  const waitFromNs = queued.observedNs > intendedNs ? queued.observedNs : intendedNs;
  let poolWaitNs = queued.freedNs > waitFromNs ? queued.freedNs - waitFromNs : 0n;
  if (poolWaitNs > totalNs) poolWaitNs = totalNs;
  return { lagNs: totalNs - poolWaitNs, poolWaitNs };
}

export interface LoadLoopOptions {
  load: LoadModel;
  /** Concurrency: closed-model workers, open-model maximum in flight (capped by `maxInFlight`). */
  slots: number;
  window: RunWindow;
  clock: Clock;
  stop: AbortSignal;
  recorder: StepRecorder;
  /** Runs one transaction; must resolve (never reject) and count its own errors. */
  execute: (dispatch: Dispatch) => Promise<ExecuteResult>;
}

/** Closed-model back-off after consecutive failures: doubles from 5 ms up to 200 ms. */
const BACKOFF_FIRST_MS = 5;
const BACKOFF_MAX_MS = 200;
/** Safety bounds; the window bounds every loop in practice. */
const MAX_ITERATIONS = 100_000_000;

/** `execute` must not reject; if a driver bug makes it, the transaction counts as an `other` error and the run goes on. */
function safeExecute(o: LoadLoopOptions, dispatch: Dispatch): Promise<ExecuteResult> {
  return o.execute(dispatch).then(
    (result) => {
      if (result.ok) o.recorder.noteSuccess(dispatch.dispatchNs);
      return result;
    },
    (): ExecuteResult => {
      o.recorder.countError(dispatch.phase, 'other');
      return { ok: false };
    },
  );
}

/** Runs until the window ends (or stop), then waits for transactions in flight. */
export async function runLoad(options: LoadLoopOptions): Promise<void> {
  if (options.load.model === 'open') await runOpen(options, options.load);
  else await runClosed(options);
}

async function runClosed(o: LoadLoopOptions): Promise<void> {
  const worker = async (slot: number): Promise<void> => {
    let failures = 0;
    for (let i = 0; i < MAX_ITERATIONS && !o.stop.aborted; i++) {
      if (failures > 0) {
        const leftMs = Number(o.window.endNs - o.clock.nowNs()) / 1e6;
        await pause(Math.min(leftMs, Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(failures - 1, 10))), o.stop);
      }
      const dispatchNs = o.clock.nowNs();
      const phase = phaseAt(o.window, dispatchNs);
      if (phase === undefined || o.stop.aborted) return;
      o.recorder.add(phase, 'sent');
      const result = await safeExecute(o, { phase, slot, intendedNs: undefined, dispatchNs });
      failures = result.ok ? 0 : failures + 1;
    }
  };
  await Promise.all(Array.from({ length: o.slots }, (_, slot) => worker(slot)));
}

async function runOpen(o: LoadLoopOptions, load: OpenLoad): Promise<void> {
  const { clock, recorder, window, stop } = o;
  const maxInFlight = Math.max(1, Math.min(load.maxInFlight ?? o.slots, o.slots));
  const maxQueue = load.maxQueue ?? 100_000;
  const lateNs = msToNs(load.lateThresholdMs ?? 1);
  const isDrop = load.whenBehind === 'drop';
  const free = Array.from({ length: maxInFlight }, (_, i) => maxInFlight - 1 - i);
  const queue: QueuedArrival[] = [];
  let queueHead = 0;
  const inFlight = new Set<Promise<void>>();

  const dispatch = (slot: number, intendedNs: bigint, phase: Phase, queued?: { observedNs: bigint; freedNs: bigint }): void => {
    const dispatchNs = clock.nowNs();
    recorder.add(phase, 'sent');
    const { lagNs, poolWaitNs } = splitWait(intendedNs, dispatchNs, queued);
    recorder.recordNs(phase, 'dispatchLag', lagNs);
    recorder.recordNs(phase, 'poolWait', poolWaitNs);
    if (lagNs > lateNs) recorder.add(phase, 'late');
    const running = safeExecute(o, { phase, slot, intendedNs, dispatchNs }).then((result) => {
      // The slot is free from the transaction's end (a failed one: from now).
      const freedNs = result.ok ? result.endNs : clock.nowNs();
      if (result.ok) {
        recorder.recordNs(phase, 'responseTime', result.endNs - intendedNs);
        recorder.recordNs(phase, 'serviceTime', result.endNs - dispatchNs);
        // Throughput counts completions in the window whatever the arrival's phase (a backlog
        // queued in warm-up still completes there); the arrival's latencies stay in its own phase.
        if (phaseAt(window, result.endNs) === 'measured') recorder.add('measured', 'completedInWindow');
      }
      inFlight.delete(running);
      // The freed slot serves the oldest queued arrival, unless the window is over.
      const next = queue[queueHead];
      if (next !== undefined && !stop.aborted && clock.nowNs() < window.endNs) {
        queueHead += 1;
        dispatch(slot, next.intendedNs, next.phase, { observedNs: next.observedNs, freedNs });
      } else {
        free.push(slot);
      }
    });
    inFlight.add(running);
  };

  const schedule = createArrivalSchedule(load);
  for (let i = 0; i < MAX_ITERATIONS && !stop.aborted; i++) {
    const offsetNs = schedule.next();
    if (offsetNs === undefined) break;
    const intendedNs = window.startNs + offsetNs;
    const phase = phaseAt(window, intendedNs);
    if (phase === undefined) break;
    await waitUntil(clock, intendedNs, stop, load.spinWaitMs);
    if (stop.aborted) break;
    recorder.add(phase, 'scheduled');
    const slot = queue.length === queueHead ? free.pop() : undefined;
    if (slot !== undefined) dispatch(slot, intendedNs, phase);
    else if (isDrop || queue.length - queueHead >= maxQueue) recorder.add(phase, 'dropped');
    else queue.push({ intendedNs, observedNs: clock.nowNs(), phase });
    if (queueHead > 1024 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
  }
  // No more arrivals: wait out the rest of the window so rate stays honest, then drain.
  await waitUntil(clock, window.endNs, stop);
  for (let round = 0; round < MAX_ITERATIONS && inFlight.size > 0; round++) await Promise.race(inFlight);
  // Arrivals still queued when the window ended were never sent.
  for (let i = queueHead; i < queue.length; i++) {
    const item = queue[i];
    if (item !== undefined) recorder.add(item.phase, 'dropped');
  }
}
