// After a scenario validates, each replay workload's trace is found (relative to the scenario
// file), read and checked like the scenario itself (src/trace/open-trace.ts, streamed: exit 3 naming the
// trace file, key and line), and the workload is given the trace's absolute path. A `recorded`
// replay of a sizes-only trace is refused here, before any socket opens.

import { dirname, resolve } from 'node:path';
import { ScenarioError, type Issue } from '../errors.js';
import { openTrace } from '../trace/open-trace.js';
import type { Scenario } from './schema.js';

/** Reads every replay workload's trace; returns the scenario with absolute trace paths. Throws ScenarioError. */
export async function resolveReplayTraces(scenario: Scenario, file: string): Promise<Scenario> {
  const listed = scenario.workloads !== undefined;
  const workloads = scenario.workloads ?? (scenario.workload === undefined ? [] : [scenario.workload]);
  if (!workloads.some((w) => w.kind === 'replay')) return scenario;
  const issues: Issue[] = [];
  const resolved = [];
  for (const [index, workload] of workloads.entries()) {
    if (workload.kind !== 'replay') {
      resolved.push(workload);
      continue;
    }
    const at = listed ? `workloads[${index}].trace` : 'workload.trace';
    const path = resolve(dirname(file), workload.trace);
    const trace = await openTrace(path);
    if (workload.target === 'recorded' && trace.info.payload !== 'full') {
      issues.push({ path: at, message: `${workload.trace} was recorded with --payload sizes: target recorded needs the bytes`, hint: 'record with --payload full, or use target: built-in' });
    }
    if (trace.stats.replayable === 0) issues.push({ path: at, message: `${workload.trace} has no conversation with a turn; nothing to replay` });
    resolved.push({ ...workload, trace: path });
  }
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return listed ? { ...scenario, workloads: resolved } : { ...scenario, workload: resolved[0] };
}
