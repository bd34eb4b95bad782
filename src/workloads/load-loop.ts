// Runs transactions under a load model, shared by all transaction-shaped drivers: closed (each
// slot starts its next transaction when the previous ends) or open (arrivals on an absolute
// schedule, one global FIFO that any free slot serves, queue or drop when behind). It records
// scheduling counters and the open model's response/service/dispatch-lag/pool-wait histograms;
// what a transaction does (sockets, bytes) is the driver's `execute`. It never throws for SUT
// failures. Dispatch lag is only the generator's own lateness (how late it acted when it was free
// to act); the time an arrival waited for a free slot (a pooled connection) is the system's
// queueing, recorded as pool wait: lag + pool wait + service time = response time.

import type { LoadLoopOptions, Dispatch, ExecuteResult } from './load-dispatch.js';
import { runOpen } from './open-loop.js';
import { pause, phaseAt } from './run-window.js';

export type { Dispatch, ExecuteResult, LoadLoopOptions } from './load-dispatch.js';

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
