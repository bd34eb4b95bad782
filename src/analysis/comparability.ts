// Decides whether two results can be compared at all, from the results themselves: same scenario
// (name and a fingerprint of what was measured), same topology and network, same kind of machine.
// Pure; never guesses from file names.

import { createHash } from 'node:crypto';
import type { RunResult } from '../metrics/result.js';
import { canonicalJson } from '../canonical-json.js';

/** Reasons the results cannot be compared (empty: comparable) and notes that do not block. */
export interface Comparability {
  reasons: string[];
  notes: string[];
}

/** Scenario keys that change how long or how often, or what is written, but not what is measured. */
const NOT_MEASURED = new Set(['$schema', 'name', 'description', 'output', 'thresholds', 'durationMs', 'warmupMs', 'repetitions', 'order']);

/** Short hash of the measured part of the resolved scenario (target, paths, network, workloads). */
export function scenarioFingerprint(result: RunResult): string {
  const resolved = result.scenario.resolved;
  const measured =
    resolved !== null && typeof resolved === 'object'
      ? Object.fromEntries(Object.entries(resolved as Record<string, unknown>).filter(([key]) => !NOT_MEASURED.has(key)))
      : resolved;
  return createHash('sha256').update(canonicalJson(measured)).digest('hex').slice(0, 16);
}

const major = (version: string): string => /^v?(\d+)/.exec(version)?.[1] ?? version;

/** Everything that makes `baseline` and `current` incomparable, plus non-blocking notes. */
export function checkComparability(baseline: RunResult, current: RunResult): Comparability {
  const reasons: string[] = [];
  const notes: string[] = [];
  const differ = (what: string, a: unknown, b: unknown, isBlocking = true) => {
    if (canonicalJson(a) === canonicalJson(b)) return;
    (isBlocking ? reasons : notes).push(`${what} differs: baseline ${show(a)}, current ${show(b)}`);
  };
  differ('result schemaVersion', baseline.schemaVersion, current.schemaVersion);
  differ('scenario name', baseline.scenario.name, current.scenario.name);
  if (reasons.length === 0) differ('scenario (target, paths, network, workloads) fingerprint', scenarioFingerprint(baseline), scenarioFingerprint(current));
  differ('network profile', baseline.topology?.network, current.topology?.network);
  differ('paths', baseline.topology?.paths, current.topology?.paths);
  differ('target', baseline.topology?.target, current.topology?.target);
  const b = baseline.environment;
  const c = current.environment;
  differ('cpu count', b.cpuCount, c.cpuCount);
  differ('platform', `${b.platform}/${b.arch}`, `${c.platform}/${c.arch}`);
  differ('node major version', major(b.nodeVersion), major(c.nodeVersion));
  differ('cpu model', b.cpuModel, c.cpuModel, false);
  differ('hcbench version', b.hcbenchVersion, c.hcbenchVersion, false);
  differ('measured path libraries', b.libraries, c.libraries, false);
  for (const [which, r] of [['baseline', baseline], ['current', current]] as const) {
    if (r.status !== 'completed') reasons.push(`${which} run is ${r.status}, not completed`);
  }
  const windows = (r: RunResult) => r.steps.flatMap((s) => (s.status === 'failed' ? [] : [s.metrics.durationMs]));
  const [wb, wc] = [windows(baseline), windows(current)].map((w) => (w.length === 0 ? 0 : w.reduce((x, y) => x + y, 0) / w.length));
  if (wb !== undefined && wc !== undefined && wb > 0 && wc > 0 && Math.max(wb, wc) / Math.min(wb, wc) > 2) {
    notes.push(`measured windows differ (baseline ${Math.round(wb)} ms, current ${Math.round(wc)} ms per step): tail percentiles depend on sample count`);
  }
  return { reasons, notes };
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : canonicalJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
