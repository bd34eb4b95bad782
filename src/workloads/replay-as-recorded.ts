// The replay's as-recorded load model: every conversation of the trace starts at its recorded
// offset divided by `speed` (read from the trace in start order as the schedule reaches it), and the trace repeats (one cycle = the recording's length at this
// speed) until the window ends. An open schedule: latencies are timed from the intended start,
// the generator's lateness is recorded as dispatch lag; an arrival that finds `slots`
// conversations in flight waits in a FIFO (pool wait), as in the open model.

import type { Phase, StepRecorder } from '../metrics/recorder.js';
import type { TraceConversation } from '../trace/format.js';
import type { ConversationFeed } from './replay-feed.js';
import { splitWait, type Dispatch, type ExecuteResult } from './load-loop.js';
import { phaseAt, waitUntil, type RunWindow } from './run-window.js';
import type { Clock } from './types.js';

export interface AsRecordedOptions {
  /** The conversations with turns, in start order, cycling (the trace is read as it goes). */
  feed: ConversationFeed;
  /** The first and last start among them, µs. */
  firstStartUs: number;
  lastStartUs: number;
  /** The recording's length, µs. */
  durationUs: number;
  speed: number;
  slots: number;
  window: RunWindow;
  clock: Clock;
  stop: AbortSignal;
  recorder: StepRecorder;
  execute: (dispatch: Dispatch, conversation: TraceConversation) => Promise<ExecuteResult>;
}

/** Safety bound on arrivals; the window ends the loop in practice. */
const MAX_ARRIVALS = 100_000_000;

interface Waiting {
  intendedNs: bigint;
  observedNs: bigint;
  phase: Phase;
  conversation: TraceConversation;
}

/** Runs the schedule until the window ends (or stop), then waits for the conversations in flight. */
export async function runAsRecorded(o: AsRecordedOptions): Promise<void> {
  const { clock, recorder, window, stop } = o;
  const firstUs = o.firstStartUs;
  const lastUs = o.lastStartUs;
  // One cycle: the recording's length, and never shorter than its starts plus a millisecond.
  const cycleNs = BigInt(Math.round((Math.max(o.durationUs, lastUs - firstUs + 1000) * 1000) / o.speed));
  const offsetNs = (c: TraceConversation): bigint => BigInt(Math.round(((c.startUs - firstUs) * 1000) / o.speed));
  let free = o.slots;
  const queue: Waiting[] = [];
  const inFlight = new Set<Promise<void>>();

  const dispatch = (intendedNs: bigint, phase: Phase, conversation: TraceConversation, queued?: { observedNs: bigint; freedNs: bigint }): void => {
    const dispatchNs = clock.nowNs();
    recorder.add(phase, 'sent');
    const { lagNs, poolWaitNs } = splitWait(intendedNs, dispatchNs, queued);
    recorder.recordNs(phase, 'dispatchLag', lagNs);
    recorder.recordNs(phase, 'poolWait', poolWaitNs);
    const running = o.execute({ phase, slot: 0, intendedNs, dispatchNs }, conversation).then(
      (result) => result,
      (): ExecuteResult => {
        recorder.countError(phase, 'other');
        return { ok: false };
      },
    ).then((result) => {
      const freedNs = result.ok ? result.endNs : clock.nowNs();
      if (result.ok) {
        recorder.noteSuccess(dispatchNs);
        recorder.recordNs(phase, 'responseTime', result.endNs - intendedNs);
        recorder.recordNs(phase, 'serviceTime', result.endNs - dispatchNs);
        if (phaseAt(window, result.endNs) === 'measured') recorder.add('measured', 'completedInWindow');
      }
      inFlight.delete(running);
      const waiting = queue.shift();
      if (waiting !== undefined && !stop.aborted && clock.nowNs() < window.endNs) {
        dispatch(waiting.intendedNs, waiting.phase, waiting.conversation, { observedNs: waiting.observedNs, freedNs });
      } else {
        if (waiting !== undefined) recorder.add(waiting.phase, 'dropped');
        free += 1;
      }
    });
    inFlight.add(running);
  };

  for (let i = 0; i < MAX_ARRIVALS && !stop.aborted; i++) {
    const { conversation, cycle } = await o.feed.next();
    const intendedNs = window.startNs + BigInt(cycle) * cycleNs + offsetNs(conversation);
    const phase = phaseAt(window, intendedNs);
    if (phase === undefined) break;
    await waitUntil(clock, intendedNs, stop);
    if (stop.aborted) break;
    recorder.add(phase, 'scheduled');
    if (free > 0 && queue.length === 0) {
      free -= 1;
      dispatch(intendedNs, phase, conversation);
    } else {
      queue.push({ intendedNs, observedNs: clock.nowNs(), phase, conversation });
    }
  }
  await waitUntil(clock, window.endNs, stop);
  for (let round = 0; round < MAX_ARRIVALS && inFlight.size > 0; round++) await Promise.race(inFlight);
  for (const waiting of queue.splice(0)) recorder.add(waiting.phase, 'dropped');
}
