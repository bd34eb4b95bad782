// The open model of the load loop: arrivals on an absolute schedule, one global FIFO that any free
// slot serves, queue or drop when behind. A pacer does the waiting, as wrk2 does: each wake reads
// the clock, hands every arrival that is due to a free slot (or the queue, or drops it), then
// sleeps until the next one, on a timer for the coarse part and on event-loop turns (setImmediate
// callbacks, so I/O keeps flowing) for the last `spinWaitMs`, each turn held a few µs so spinning
// does not fill the heap (TURN_HOLD_US). No promise, closure or timer per arrival; each slot's
// completion handler and in-flight record are allocated once.
// Dispatch lag is only the generator's own lateness (how late it acted when it was free to act);
// the time an arrival waited for a free slot is the system's queueing, recorded as pool wait:
// lag + pool wait + service time = response time.

import type { Phase } from '../metrics/recorder.js';
import type { Dispatch, ExecuteResult, LoadLoopOptions } from './load-dispatch.js';
import type { OpenLoad } from './types.js';
import { createArrivalSchedule } from './schedule.js';
import { DEFAULT_SPIN_WAIT_MS, msToNs, phaseAt, waitUntil } from './run-window.js';
import { busyWaitUs } from './busy-wait.js';

/**
 * How long the pacer holds each event-loop turn it spins on, µs. A bare spinning turn is ~1.3 µs
 * and allocates ~350 bytes (`setImmediate`), so spinning alone drove the generator's scavenges
 * (busy-wait.ts). Holding a turn delays I/O that arrives during the hold by at most this much: a
 * reply's timestamp is late by ≤ TURN_HOLD_US, on average about half of it (a bare turn already
 * delays it by about half a turn).
 */
const TURN_HOLD_US = 3;

/** Safety bound on arrivals; the window bounds the schedule in practice. */
const MAX_ARRIVALS = 100_000_000;

/** An arrival waiting for a free slot: when it was due and when the generator noticed it. */
interface QueuedArrival {
  intendedNs: bigint;
  /** When the generator handled the arrival and found no free slot (its lateness ends here). */
  observedNs: bigint;
  phase: Phase;
}

/** What a slot's completion handler needs of the transaction it runs; one per slot, reused. */
interface SlotState {
  slot: number;
  phase: Phase;
  intendedNs: bigint;
  dispatchNs: bigint;
  /** The dispatch handed to the driver: one per slot, rewritten per transaction (a slot runs one at a time). */
  d: Dispatch;
  onResult: (result: ExecuteResult) => void;
  onReject: () => void;
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

/** Runs the open model until the window ends (or stop), then waits for transactions in flight. */
export async function runOpen(o: LoadLoopOptions, load: OpenLoad): Promise<void> {
  const { clock, recorder, window, stop } = o;
  const maxInFlight = Math.max(1, Math.min(load.maxInFlight ?? o.slots, o.slots));
  const maxQueue = load.maxQueue ?? 100_000;
  const lateNs = msToNs(load.lateThresholdMs ?? 1);
  const spinNs = msToNs(load.spinWaitMs ?? DEFAULT_SPIN_WAIT_MS);
  const isDrop = load.whenBehind === 'drop';
  const free = Array.from({ length: maxInFlight }, (_, i) => maxInFlight - 1 - i);
  const queue: QueuedArrival[] = [];
  let queueHead = 0;
  let inFlight = 0;
  let onDrained: (() => void) | undefined;

  const dispatch = (state: SlotState, intendedNs: bigint, phase: Phase, queued?: { observedNs: bigint; freedNs: bigint }): void => {
    const dispatchNs = clock.nowNs();
    recorder.add(phase, 'sent');
    // Dispatched at once (the common case): all of the wait is lag, no split object.
    let lagNs = dispatchNs > intendedNs ? dispatchNs - intendedNs : 0n;
    let poolWaitNs = 0n;
    if (queued !== undefined) ({ lagNs, poolWaitNs } = splitWait(intendedNs, dispatchNs, queued));
    recorder.recordNs(phase, 'dispatchLag', lagNs);
    recorder.recordNs(phase, 'poolWait', poolWaitNs);
    if (lagNs > lateNs) recorder.add(phase, 'late');
    state.phase = phase;
    state.intendedNs = intendedNs;
    state.dispatchNs = dispatchNs;
    inFlight += 1;
    const d = state.d;
    d.phase = phase;
    d.intendedNs = intendedNs;
    d.dispatchNs = dispatchNs;
    if (o.executeNow !== undefined) o.executeNow(d, state.onResult);
    else o.execute(d).then(state.onResult, state.onReject);
  };

  const complete = (state: SlotState, result: ExecuteResult): void => {
    const { phase, intendedNs, dispatchNs } = state;
    // The slot is free from the transaction's end (a failed one: from now).
    let freedNs: bigint;
    if (result.ok) {
      freedNs = result.endNs;
      recorder.noteSuccess(dispatchNs);
      recorder.recordNs(phase, 'responseTime', result.endNs - intendedNs);
      recorder.recordNs(phase, 'serviceTime', result.endNs - dispatchNs);
      // Throughput counts completions in the window whatever the arrival's phase (a backlog
      // queued in warm-up still completes there); the arrival's latencies stay in its own phase.
      if (phaseAt(window, result.endNs) === 'measured') recorder.add('measured', 'completedInWindow');
    } else {
      freedNs = clock.nowNs();
    }
    inFlight -= 1;
    // The freed slot serves the oldest queued arrival, unless the window is over.
    const next = queue[queueHead];
    if (next !== undefined && !stop.aborted && clock.nowNs() < window.endNs) {
      queueHead += 1;
      dispatch(state, next.intendedNs, next.phase, { observedNs: next.observedNs, freedNs });
      return;
    }
    free.push(state.slot);
    if (inFlight === 0) onDrained?.();
  };

  const states: SlotState[] = Array.from({ length: maxInFlight }, (_, slot) => {
    const state: SlotState = {
      slot,
      phase: 'warmup',
      intendedNs: 0n,
      dispatchNs: 0n,
      d: { phase: 'warmup', slot, intendedNs: 0n, dispatchNs: 0n },
      onResult: (result) => complete(state, result),
      // `execute` must not reject; if a driver bug makes it, the transaction counts as an `other` error and the run goes on.
      onReject: () => {
        recorder.countError(state.phase, 'other');
        complete(state, { ok: false });
      },
    };
    return state;
  });

  /** One arrival, due now or earlier: a free slot, else the queue, else dropped. */
  const arrive = (intendedNs: bigint, phase: Phase): void => {
    recorder.add(phase, 'scheduled');
    const slot = queue.length === queueHead ? free.pop() : undefined;
    const state = slot === undefined ? undefined : states[slot];
    if (state !== undefined) dispatch(state, intendedNs, phase);
    else if (isDrop || queue.length - queueHead >= maxQueue) recorder.add(phase, 'dropped');
    else queue.push({ intendedNs, observedNs: clock.nowNs(), phase });
    if (queueHead > 1024 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
  };

  await pace(o, load, spinNs, arrive);
  // No more arrivals: wait out the rest of the window so rate stays honest, then drain. Every
  // transaction ends by the driver's own timeouts or its stop deadline.
  await waitUntil(clock, window.endNs, stop);
  if (inFlight > 0) await new Promise<void>((resolve) => (onDrained = resolve));
  // Arrivals still queued when the window ended were never sent.
  for (let i = queueHead; i < queue.length; i++) {
    const item = queue[i];
    if (item !== undefined) recorder.add(item.phase, 'dropped');
  }
}

/**
 * Calls `arrive` for every arrival of the schedule inside the window, each as soon as it is due:
 * every wake handles all arrivals due by then, in order. Resolves after the last one, or on stop.
 */
function pace(o: LoadLoopOptions, load: OpenLoad, spinNs: bigint, arrive: (intendedNs: bigint, phase: Phase) => void): Promise<void> {
  const { clock, window, stop } = o;
  const schedule = createArrivalSchedule(load);
  let arrivals = 0;
  let nextNs: bigint | undefined;
  let nextPhase: Phase = 'warmup';
  const advance = (): void => {
    const offsetNs = arrivals < MAX_ARRIVALS ? schedule.next() : undefined;
    arrivals += 1;
    const at = offsetNs === undefined ? undefined : window.startNs + offsetNs;
    const phase = at === undefined ? undefined : phaseAt(window, at);
    nextNs = phase === undefined ? undefined : at;
    if (phase !== undefined) nextPhase = phase;
  };
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      clearImmediate(immediate);
      stop.removeEventListener('abort', finish);
      resolve();
    };
    const spinUs = Number(spinNs) / 1000;
    const wait = (leftUs: number): void => {
      // Timers have 1 ms resolution, fire up to ~1 ms early or late on the loop's whole-ms clock, and
      // anything under 1 ms runs as 1 ms: sleep on one only while even its late firing leaves the
      // last spinNs before the arrival to the loop turns (at least 1 ms when spinning is off).
      if (spinNs === 0n) timer = setTimeout(tick, Math.max(leftUs / 1000, 1));
      else if (leftUs - spinUs >= 1000) timer = setTimeout(tick, Math.floor((leftUs - spinUs) / 1000));
      else {
        // Hold this turn a moment before the next (never past the arrival): see TURN_HOLD_US.
        busyWaitUs(Math.min(TURN_HOLD_US, leftUs));
        immediate = setImmediate(tick);
      }
    };
    const tick = (): void => {
      timer = undefined;
      immediate = undefined;
      if (stop.aborted) return finish();
      let nowNs = clock.nowNs();
      while (nextNs !== undefined && nextNs <= nowNs) {
        arrive(nextNs, nextPhase);
        advance();
        // Dispatching takes time: arrivals that fell due meanwhile go in this wake too.
        if (nextNs !== undefined && nextNs > nowNs) nowNs = clock.nowNs();
      }
      if (nextNs === undefined) return finish();
      wait(Number(nextNs - nowNs) / 1000);
    };
    stop.addEventListener('abort', finish, { once: true });
    advance();
    tick();
  });
}
