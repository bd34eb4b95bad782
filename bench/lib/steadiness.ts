// How steady an entry's ratio is over its rounds, and whether it may be quoted. The spread is the
// full range of the per-round ratios (hcbench ÷ reference of the same round) relative to their
// median: (max − min) / median. Above SPREAD_LIMIT the ratio is "noisy, not quotable" (issue #15).
// Pure functions, shared by the runner, the console table and the generated README tables.

/** The part of a round record the ratios need (RoundRecord, or one read back from a result file). */
export interface RoundValue {
  round: number;
  side: 'hcbench' | 'reference';
  figure: { value: number; unjudgeable?: string };
}

/** Largest spread ((max − min) / median of the per-round ratios) at which a ratio may be quoted. */
export const SPREAD_LIMIT = 0.1;

/** What the console and README tables print instead of a ratio whose spread is above the limit. */
export const NOISY_TEXT = 'noisy, not quotable';

/**
 * `steady`: spread <= {@link SPREAD_LIMIT}, the ratio may be quoted; `noisy`: spread above it;
 * `unknown`: fewer than two rounds had both sides, so there is no spread to judge.
 */
export type Steadiness = 'steady' | 'noisy' | 'unknown';

/** Median of a list (mean of the two middle values for even lengths); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** hcbench ÷ reference per round that has both sides and a non-zero reference, in round order. */
export function perRoundRatios(records: readonly RoundValue[]): number[] {
  const ratios: number[] = [];
  for (const round of [...new Set(records.map((r) => r.round))].sort((a, b) => a - b)) {
    const a = records.find((r) => r.round === round && r.side === 'hcbench');
    const b = records.find((r) => r.round === round && r.side === 'reference');
    if (a !== undefined && b !== undefined && b.figure.value !== 0) ratios.push(a.figure.value / b.figure.value);
  }
  return ratios;
}

/** (max − min) / median of the ratios; null below two ratios or when the median is 0 or not finite. */
export function ratioSpread(ratios: readonly number[]): number | null {
  if (ratios.length < 2) return null;
  const mid = median(ratios);
  if (mid === 0 || !Number.isFinite(mid)) return null;
  return (Math.max(...ratios) - Math.min(...ratios)) / Math.abs(mid);
}

/** Steady at or below {@link SPREAD_LIMIT}, noisy above it, unknown without a spread. */
export function classifySpread(spread: number | null): Steadiness {
  if (spread === null || !Number.isFinite(spread)) return 'unknown';
  return spread > SPREAD_LIMIT ? 'noisy' : 'steady';
}

/** The ratio cell: `0.61×` when steady, {@link NOISY_TEXT} when noisy, `0.08× (spread unknown)` when unknown. */
export function quoteRatio(ratio: number | null, steadiness: Steadiness): string {
  if (steadiness === 'noisy') return NOISY_TEXT;
  if (ratio === null) return 'n/a';
  return steadiness === 'steady' ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(2)}× (spread unknown)`;
}

/** The spread cell: `7%`, or `n/a` without a spread. */
export function formatSpread(spread: number | null): string {
  return spread === null ? 'n/a' : `${(spread * 100).toFixed(0)}%`;
}

/**
 * The ratio cell of a measured entry: "not judgeable: <reason>" when one of hcbench's figures says
 * it cannot judge (Figure.unjudgeable), else {@link quoteRatio}.
 */
export function ratioCell(e: { rounds: readonly RoundValue[]; ratio: number | null; steadiness?: Steadiness }): string {
  const reason = e.rounds.find((r) => r.side === 'hcbench' && typeof r.figure.unjudgeable === 'string')?.figure.unjudgeable;
  return reason === undefined ? quoteRatio(e.ratio, e.steadiness ?? 'unknown') : `not judgeable: ${reason}`;
}
