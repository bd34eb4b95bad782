// Compares two bench runs entry by entry (issue #14: "npm run bench gives the same results as
// before the move"): for each entry both measured, the change of the ratio (hcbench ÷ reference)
// and of hcbench's own median against the noise each run showed (the spread of its per-round
// ratios, the range of hcbench's rounds). A change inside the larger of the two runs' noise is
// "same"; outside it, "differs". Entries measured in only one run, or with another status, say so.
// Pure: the CLI is bench/compare.ts.

import type { ResultEntry } from './result-files.js';

/** Below this, two runs' figures are the same whatever their spread says (rounding, one round). */
export const SAME_FLOOR = 0.05;

/** One entry's comparison. */
export interface EntryComparison {
  id: string;
  verdict: 'same' | 'differs' | 'status' | 'only-a' | 'only-b';
  /** One line for people. */
  line: string;
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/** (max − min) / median of one side's rounds, 0 when it has no range. */
function sideRange(side: { medianValue: number; minValue: number; maxValue: number }): number {
  return side.medianValue === 0 ? 0 : (side.maxValue - side.minValue) / Math.abs(side.medianValue);
}

/** Change of `b` against `a` (b ÷ a − 1); 0 when both are 0, infinite when only a is. */
function change(a: number, b: number): number {
  if (a === 0) return b === 0 ? 0 : Number.POSITIVE_INFINITY;
  return b / a - 1;
}

/** One entry measured in both runs. */
function compareMeasured(a: Extract<ResultEntry, { status: 'measured' }>, b: Extract<ResultEntry, { status: 'measured' }>): EntryComparison {
  const parts: string[] = [];
  let isSame = true;
  if (a.ratio !== null && b.ratio !== null) {
    const noise = Math.max(a.spread ?? 0, b.spread ?? 0, SAME_FLOOR);
    const c = change(a.ratio, b.ratio);
    isSame &&= Math.abs(c) <= noise;
    parts.push(`ratio ${a.ratio.toFixed(2)} → ${b.ratio.toFixed(2)} (${pct(c)}, noise ±${(noise * 100).toFixed(0)} %)`);
  }
  const noise = Math.max(sideRange(a.hcbench), sideRange(b.hcbench), SAME_FLOOR);
  const c = change(a.hcbench.medianValue, b.hcbench.medianValue);
  isSame &&= Math.abs(c) <= noise;
  parts.push(`hcbench ${a.hcbench.medianValue.toPrecision(4)} → ${b.hcbench.medianValue.toPrecision(4)} ${a.unit} (${pct(c)}, noise ±${(noise * 100).toFixed(0)} %)`);
  return { id: a.id, verdict: isSame ? 'same' : 'differs', line: `${a.id}: ${isSame ? 'same' : 'DIFFERS'}: ${parts.join('; ')}` };
}

/** Every entry of either run, in `a`'s order then `b`'s new ones. */
export function compareRuns(a: readonly ResultEntry[], b: readonly ResultEntry[]): EntryComparison[] {
  const byIdB = new Map(b.map((e) => [e.id, e]));
  const out: EntryComparison[] = [];
  for (const ea of a) {
    const eb = byIdB.get(ea.id);
    if (eb === undefined) out.push({ id: ea.id, verdict: 'only-a', line: `${ea.id}: only in the first run (${ea.status})` });
    else if (ea.status === 'measured' && eb.status === 'measured') out.push(compareMeasured(ea, eb));
    else out.push({ id: ea.id, verdict: ea.status === eb.status ? 'same' : 'status', line: `${ea.id}: ${ea.status} → ${eb.status}` });
  }
  const idsA = new Set(a.map((e) => e.id));
  for (const eb of b) if (!idsA.has(eb.id)) out.push({ id: eb.id, verdict: 'only-b', line: `${eb.id}: only in the second run (${eb.status})` });
  return out;
}
