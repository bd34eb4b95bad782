// A metric across saved runs (`hcbench trend`): runs grouped by scenario (name and the fingerprint
// compare uses, so only runs of the same measurement share a line), ordered by start time, each
// run's value read exactly as a threshold reads it (same grammar: `overhead.roundTrip.p50`,
// `relay.transaction.p99`, `direct.errorRate`), and each run flagged when `compare` against the
// run before it says regressed. Pure.

import type { RunResult, ThresholdVerdict } from '../metrics/result.js';
import { compareResults, type MetricVerdict } from './compare.js';
import { scenarioFingerprint } from './comparability.js';
import { parseThreshold } from './threshold-expression.js';
import { evaluateThresholds } from './thresholds.js';

/** One saved run of a trend line. */
export interface TrendRun {
  file: string;
  startedAt: string;
  /** The git commit the run was made from, when it ran inside a git checkout. */
  gitCommit?: string;
  /** The metric's value per subject (e.g. `smoke: relay-emulated vs direct`); null without data. */
  values: Record<string, number | null>;
  /** `compare` against the previous run of the group (absent for the first run). */
  compare?: { verdict: MetricVerdict; regressed: string[]; reasons: string[] };
}

/** The runs of one scenario (same name and fingerprint), oldest first. */
export interface TrendGroup {
  scenario: string;
  fingerprint: string;
  /** Unit of every value, as thresholds report it (`us`, `fraction`, `perSec`, `count`, `ratio`). */
  unit: ThresholdVerdict['unit'];
  subjects: string[];
  runs: TrendRun[];
  /** Per subject: mean and sample standard deviation over the group's runs (the noise band is mean ± 2 sd); null under 2 values. */
  spread: Record<string, { mean: number; sd: number; n: number } | null>;
}

/** A result read from disk, with the file it came from. */
export interface TrendInput {
  file: string;
  result: RunResult;
}

/**
 * The threshold that reads `metric` without judging it (`!=` a value no run has), or an error
 * message when `metric` is not in the threshold grammar.
 */
export function trendExpression(metric: string): { ok: true; expression: string } | { ok: false; message: string } {
  let message = '';
  for (const limit of ['-1us', '-1']) {
    const parsed = parseThreshold(`${metric} != ${limit}`);
    if (parsed.ok) return { ok: true, expression: `${metric} != ${limit}` };
    message ||= parsed.message;
  }
  return { ok: false, message: `${metric} is not a metric hcbench can read: ${message} (use the threshold grammar, e.g. overhead.roundTrip.p50, relay.transaction.p99, direct.errorRate)` };
}

/** Groups, orders and reads `inputs`; runs started before `sinceMs` (epoch ms) are left out. */
export function buildTrend(inputs: readonly TrendInput[], expression: string, options: { sinceMs?: number } = {}): TrendGroup[] {
  const groups = new Map<string, { scenario: string; fingerprint: string; inputs: TrendInput[] }>();
  for (const input of inputs) {
    if (options.sinceMs !== undefined && Date.parse(input.result.startedAt) < options.sinceMs) continue;
    const fingerprint = scenarioFingerprint(input.result);
    const key = `${input.result.scenario.name}\u0000${fingerprint}`;
    const group = groups.get(key) ?? { scenario: input.result.scenario.name, fingerprint, inputs: [] };
    group.inputs.push(input);
    groups.set(key, group);
  }
  const out: TrendGroup[] = [];
  for (const group of groups.values()) {
    const ordered = [...group.inputs].sort((a, b) => Date.parse(a.result.startedAt) - Date.parse(b.result.startedAt) || (a.file < b.file ? -1 : 1));
    let unit: ThresholdVerdict['unit'] = 'us';
    const subjects: string[] = [];
    const runs = ordered.map((input, index): TrendRun => {
      const values: Record<string, number | null> = {};
      for (const verdict of evaluateThresholds(input.result, [expression])) {
        unit = verdict.unit;
        if (!subjects.includes(verdict.subject)) subjects.push(verdict.subject);
        values[verdict.subject] = verdict.observed;
      }
      const previous = ordered[index - 1];
      const commit = input.result.environment.gitCommit;
      return {
        file: input.file,
        startedAt: input.result.startedAt,
        ...(commit === undefined ? {} : { gitCommit: commit }),
        values,
        ...(previous === undefined ? {} : { compare: compareWith(previous, input) }),
      };
    });
    out.push({ scenario: group.scenario, fingerprint: group.fingerprint, unit, subjects, runs, spread: spreadOf(subjects, runs) });
  }
  return out.sort((a, b) => (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : a.fingerprint < b.fingerprint ? -1 : 1));
}

function compareWith(baseline: TrendInput, current: TrendInput): NonNullable<TrendRun['compare']> {
  const report = compareResults(baseline.result, current.result, { baseline: baseline.file, current: current.file });
  return { verdict: report.verdict, regressed: report.metrics.filter((m) => m.verdict === 'regressed').map((m) => m.metric), reasons: report.reasons };
}

function spreadOf(subjects: readonly string[], runs: readonly TrendRun[]): TrendGroup['spread'] {
  const spread: TrendGroup['spread'] = {};
  for (const subject of subjects) {
    const xs = runs.map((r) => r.values[subject]).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    if (xs.length < 2) {
      spread[subject] = null;
      continue;
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    spread[subject] = { mean, sd, n: xs.length };
  }
  return spread;
}
