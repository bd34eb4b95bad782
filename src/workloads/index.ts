// Registry of workload drivers by `kind`: the runner looks drivers up here and nowhere else.

import { WorkloadError } from '../errors.js';
import type { Workload, WorkloadParams, WorkloadRunOptions } from './types.js';
import { connectionChurn } from './connection-churn.js';
import { startHealthMonitor } from './generator-health.js';
import { runOnGenerators, wantsGenerators } from './generators.js';
import { tcpRequestResponse } from './tcp-request-response.js';
import { tcpStream } from './tcp-stream.js';
import { httpWorkload } from './http.js';
import { dialog } from './dialog.js';
import { replay } from './replay.js';

/**
 * Every driver, keyed by its `kind`; each accepts any WorkloadParams, checks the kind at run time,
 * and adds `metrics.generator` (event-loop delay, CPU, validity) to what the driver measured.
 */
export type WorkloadRegistry = { [K in WorkloadParams['kind']]: Workload<WorkloadParams> };

/** Widens a driver to the registry's type; a params object of another kind is a harness bug. */
function register<P extends WorkloadParams>(driver: Workload<P>): Workload<WorkloadParams> {
  return {
    kind: driver.kind,
    run: (options) => {
      if (options.params.kind !== driver.kind) {
        return Promise.reject(new WorkloadError(`driver ${driver.kind} got params of kind ${options.params.kind}`));
      }
      if (wantsGenerators(options.params)) return runOnGenerators(options);
      const health = startHealthMonitor(options.warmupMs);
      return driver.run(options as WorkloadRunOptions<P>).then((outcome) => {
        outcome.metrics.generator = health.finish(outcome.metrics, 1);
        return outcome;
      }, (error: unknown) => {
        health.cancel();
        throw error;
      });
    },
  };
}

/** The drivers hcbench ships. */
export const workloads: WorkloadRegistry = {
  'tcp-request-response': register(tcpRequestResponse),
  'connection-churn': register(connectionChurn),
  'tcp-stream': register(tcpStream),
  http: register(httpWorkload),
  dialog: register(dialog),
  replay: register(replay),
};
