// Console rendering of a capacity report: per path side by side (highest sustained rate, knee,
// first breaking rate), each path's latency-vs-rate curve, warnings and relay usage. Pure.

import { formatUs, renderTable } from '../report/format.js';
import type { CapacityReport } from './types.js';

const rate = (x: number | null) => (x === null ? '–' : `${Math.round(x).toLocaleString('en-US')}/s`);

export function renderCapacityText(report: CapacityReport): string {
  const out: string[] = [
    `hcbench capacity · ${report.scenario} · workload ${report.workloadId}`,
    `slo: p99 <= ${report.slo.p99Ms} ms, errors <= ${(report.slo.errorRate * 100).toFixed(2)}%, dropped <= ${(report.slo.droppedRate * 100).toFixed(2)}%; probes ${report.probeWarmupMs} ms warm-up + ${report.probeDurationMs} ms measured`,
    '',
  ];
  if (report.paths.length > 0) {
    out.push(
      renderTable([
        ['', ...report.paths.map((p) => p.pathId)],
        ['highest sustained', ...report.paths.map((p) => rate(p.maxSustainedPerSec))],
        ['first breaking', ...report.paths.map((p) => rate(p.lowestBreakingPerSec))],
        ['knee (p99 ≤ 2× low-load)', ...report.paths.map((p) => (p.knee === null ? '–' : `${rate(p.knee.ratePerSec)} @ ${formatUs(p.knee.p99Us)}`))],
        ['probes', ...report.paths.map((p) => String(p.curve.length))],
      ]),
    );
  }
  for (const path of report.paths) {
    out.push('', `${path.pathId}: latency vs offered rate`);
    if (path.verdict !== undefined) out.push(`! ${path.verdict.message}`);
    out.push(
      renderTable([
        ['offered', 'achieved', 'p50', 'p99', 'samples', 'errors', 'dropped', 'slo'],
        ...path.curve.map((p) => [
          rate(p.ratePerSec),
          rate(p.achievedPerSec),
          formatUs(p.p50Us),
          formatUs(p.p99Us),
          String(p.samples ?? '–'),
          `${(p.errorRate * 100).toFixed(2)}%`,
          `${(p.droppedRate * 100).toFixed(2)}%`,
          [p.isSustained ? 'held' : `broke: ${p.violations.join('; ')}`, ...(p.caveats ?? []).map((c) => `(${c})`)].join(' '),
        ]),
      ]),
    );
  }
  if (report.connectionSweep !== undefined) {
    out.push('', 'connection sweep (closed model)');
    out.push(
      renderTable([
        ['path', 'connections', 'achieved', 'p50', 'p99', 'peak open', 'failed connects', 'errors', 'limits exceeded'],
        ...report.connectionSweep.map((p) => [
          p.pathId,
          String(p.connections),
          rate(p.achievedPerSec),
          formatUs(p.p50Us),
          formatUs(p.p99Us),
          String(p.connectionsPeak),
          String(p.connectionsFailed),
          p.failure ?? (Object.entries(p.errors).map(([k, n]) => `${k}=${n}`).join(', ') || 'none'),
          p.limitsExceeded.join('; ') || 'none',
        ]),
      ]),
    );
  }
  out.push('', `relay usage of the probes: ${report.relayUsage.summary}`);
  for (const w of report.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}
