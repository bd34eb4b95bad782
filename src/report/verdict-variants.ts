// The verdict of every compared workload variant (matrix point or workload), as one table shared
// by the text reports and the HTML page: per variant, the direct path and each relay path (ranked
// by p99) with its transaction p50/p99, what it costs over the direct path at p50 and p99, and the
// budget margin. The detailed decision block (waterfall, placements, sentence) shows one variant;
// this table is how the others get their verdict too. Pure.

import type { Verdict, VerdictPath } from '../analysis/verdict.js';
import { formatEstimateUs, formatUs } from './format.js';
import { marked } from './trust-marks.js';

const signedMs = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(Math.abs(value) < 10 ? 1 : 0)} ms`;

/** `meets, +12 ms` / `misses, −3.1 ms`; `–` without a budget. */
function marginCell(p: VerdictPath): string {
  return p.budget === undefined ? '–' : `${p.budget.meets ? 'meets' : 'misses'}, ${signedMs(p.budget.marginMs)}`;
}

/** Header and rows: one row per path of every verdict, the variant named on its first row. */
export function variantRows(verdicts: readonly Verdict[]): string[][] {
  const hasBudget = verdicts.some((v) => v.budgetMs !== null);
  const header = ['variant', 'path', 'tx p50', 'tx p99', 'Δ p50 vs direct', 'Δ p99 vs direct', ...(hasBudget ? ['budget p99'] : [])];
  const rows = verdicts.flatMap((v) => {
    const direct = v.paths[0];
    return v.paths.map((p, i) => {
      const cost = i === 0 ? undefined : v.relays[i - 1];
      const untrusted = p.isUntrusted || direct?.isUntrusted === true;
      return [
        i === 0 ? v.key : '',
        p.pathId,
        marked(formatUs(p.transactionP50Us), p.isUntrusted),
        marked(formatUs(p.transactionP99Us), p.isUntrusted),
        cost === undefined ? '–' : marked(formatEstimateUs(cost.p50.deltaUs), untrusted),
        cost === undefined ? '–' : marked(formatEstimateUs(cost.p99.deltaUs), untrusted),
        ...(hasBudget ? [marginCell(p)] : []),
      ];
    });
  });
  return [header, ...rows];
}

/** The title of the per-variant table in the text reports (ends with ':' so Markdown keeps it with the table). */
export function variantsTitle(verdicts: readonly Verdict[]): string {
  const budget = verdicts.find((v) => v.budgetMs !== null)?.budgetMs;
  return `every compared variant, per transaction (relay − direct; ${budget === undefined || budget === null ? 'no budget' : `budget ${budget} ms at p99`}):`;
}
