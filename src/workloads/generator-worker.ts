// Entry of one generator worker thread: runs one transaction-shaped driver on its share of the
// load and posts the plain metrics (and its event-loop health) back. Started only by generators.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { HarnessError, WorkloadError } from '../errors.js';
import type { LiveInterval } from '../metrics/recorder.js';
import { connectionChurn } from './connection-churn.js';
import { dialog } from './dialog.js';
import { startHealthMonitor } from './generator-health.js';
import { tcpRequestResponse } from './tcp-request-response.js';
import { systemClock, type Workload, type WorkloadParams, type WorkloadRunOptions } from './types.js';
import type { GeneratorJob, GeneratorReply } from './generators.js';
import { postedInterval } from './generator-intervals.js';

const drivers: Partial<Record<WorkloadParams['kind'], Workload<never>>> = {
  'tcp-request-response': tcpRequestResponse as Workload<never>,
  'connection-churn': connectionChurn as Workload<never>,
  dialog: dialog as Workload<never>,
};

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const job = workerData as GeneratorJob;
  const controller = new AbortController();
  // The main thread opens one window for all threads once each posted `ready` (generators.ts).
  const started = new Promise<bigint | undefined>((resolve) => {
    port.on('message', (message: unknown) => {
      if (message === 'abort') {
        controller.abort();
        resolve(undefined);
      } else if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'start') {
        resolve((message as { windowStartNs: bigint }).windowStartNs);
      }
    });
  });
  port.postMessage('ready');
  const windowStartNs = await started;
  if (windowStartNs !== undefined) job.windowStartNs = windowStartNs;
  const driver = drivers[job.params.kind];
  let reply: GeneratorReply;
  try {
    if (driver === undefined) throw new WorkloadError(`no generator driver for ${job.params.kind}`);
    const health = startHealthMonitor(job.warmupMs);
    const { threads, liveIntervals, ...run } = job;
    const options: WorkloadRunOptions = { ...run, signal: controller.signal, clock: systemClock, ...(liveIntervals === true ? { onInterval: (interval) => postInterval(port, interval) } : {}) };
    const outcome = await (driver as unknown as Workload<WorkloadParams>).run(options);
    reply = { type: 'done', outcome, health: health.finish(outcome.metrics, threads) };
  } catch (error) {
    reply = {
      type: 'error',
      code: error instanceof HarnessError ? error.code : 'ERR_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  port.postMessage(reply);
  port.close();
}

/** Posts a finished interval to the main thread (generator-intervals.ts merges them). */
function postInterval(port: NonNullable<typeof parentPort>, interval: LiveInterval): void {
  const posted = postedInterval(interval);
  if (posted !== undefined) port.postMessage(posted);
}

void main();
