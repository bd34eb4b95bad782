// Number formatting shared by the text renderers. Pure.

/** `347 µs`, `4.74 ms`, `12.3 s` — latencies in integer microseconds, readable. */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const abs = Math.abs(us);
  if (abs < 1_000) return `${Math.round(us)} µs`;
  if (abs < 1_000_000) return `${(us / 1_000).toFixed(abs < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** A signed latency difference: `+298 µs`, `-1.20 ms`. */
export function formatDeltaUs(us: number): string {
  return `${us >= 0 ? '+' : '-'}${formatUs(Math.abs(us))}`;
}

/** A rate per second with thousands separators: `17,812/s`. */
export function formatRate(perSec: number): string {
  return `${Math.round(perSec).toLocaleString('en-US')}/s`;
}

/** `×6.72`, or `–` when there is no ratio. */
export function formatRatio(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '–' : `×${ratio.toFixed(ratio < 10 ? 2 : 1)}`;
}

/** Pads cells into aligned columns: first column left-aligned, others right-aligned. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
          return i === 0 ? cell + pad : pad + cell;
        })
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

/** `+747 µs [+612 µs, +880 µs]`; just the value when there is no interval. */
export function formatEstimateUs(estimate: { value: number; interval: { low: number; high: number } | null }): string {
  const value = formatDeltaUs(estimate.value);
  if (estimate.interval === null) return value;
  return `${value} [${formatDeltaUs(estimate.interval.low)}, ${formatDeltaUs(estimate.interval.high)}]`;
}

/** `×9.49 [×8.10, ×10.3]`, or `–`. */
export function formatRatioEstimate(estimate: { value: number; interval: { low: number; high: number } | null } | null): string {
  if (estimate === null) return '–';
  const value = formatRatio(estimate.value);
  if (estimate.interval === null) return value;
  return `${value} [${formatRatio(estimate.interval.low)}, ${formatRatio(estimate.interval.high)}]`;
}

/** `4.46 ms ± 0.31` style for millisecond estimates: `12.3 ms [11.9, 12.8]`, or just the value. */
export function formatEstimateMs(estimate: { value: number; interval: { low: number; high: number } | null }, isSigned = false): string {
  const fmt = (ms: number) => (isSigned ? formatDeltaUs(ms * 1000) : formatUs(ms * 1000));
  if (estimate.interval === null) return fmt(estimate.value);
  return `${fmt(estimate.value)} [${fmt(estimate.interval.low)}, ${fmt(estimate.interval.high)}]`;
}

/** Below this many timed connections on a path, a setup p50 is named a cold start rather than a typical setup. */
export const MIN_QUOTABLE_SETUPS = 5;

/**
 * `over N new connections` for a connection-setup figure timed on `fewest` connections (the fewest of
 * the paths compared), and, below {@link MIN_QUOTABLE_SETUPS}, what such a figure is. `counted`
 * replaces the count's words (e.g. `2 direct / 2 relayed`).
 */
export function formatSetupSample(fewest: number, counted = String(fewest)): string {
  const over = `over ${counted} new connection${fewest === 1 && counted === String(fewest) ? '' : 's'}`;
  return fewest >= MIN_QUOTABLE_SETUPS ? over : `${over}: a cold start, too few to quote as a typical setup`;
}
