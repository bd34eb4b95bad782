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
