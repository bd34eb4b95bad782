// Console renderer: direct and relay side by side with the overhead. Pure: returns a string.

import type { OverheadRow, RunResult, StepResult } from '../metrics/result.js';
import { formatDeltaUs, formatRate, formatRatio, formatUs, renderTable } from './format.js';

export function renderConsole(result: RunResult): string {
  const lines: string[] = [];
  lines.push(`hcbench · ${result.scenario.name} · ${result.status}`);
  if (result.scenario.description) lines.push(result.scenario.description.trim().split('\n')[0] ?? '');
  lines.push('');
  for (const [workloadId, rows] of Object.entries(result.overhead)) {
    const steps = result.steps.filter((s) => s.stepId.startsWith(`${workloadId}@`));
    const direct = steps.find((s) => s.pathKind === 'direct');
    const relay = steps.find((s) => s.pathKind !== 'direct');
    lines.push(`${workloadId}: ${describeStep(direct ?? relay)}`);
    lines.push(renderTable([['', 'direct', 'relay', 'relay − direct', 'relay ÷ direct'], ...rows.map(toCells), ...counterRows(direct, relay)]));
    lines.push('');
  }
  const unpaired = result.steps.filter((s) => !Object.keys(result.overhead).some((w) => s.stepId.startsWith(`${w}@`)));
  for (const step of unpaired) lines.push(describeUnpaired(step));
  for (const step of result.steps) {
    if (step.status === 'failed') lines.push(`! ${step.stepId} failed: ${step.error.message}`);
    else {
      const errors = Object.entries(step.metrics.counters.errors);
      if (errors.length > 0) lines.push(`! ${step.stepId}: errors ${errors.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
  }
  if (result.status === 'aborted') lines.push('! run interrupted: results are partial');
  return lines.join('\n').trimEnd() + '\n';
}

function toCells(row: OverheadRow): string[] {
  if (row.unit === 'perSec') {
    return [row.metric.replace('throughput.', ''), formatRate(row.direct), formatRate(row.relay), `${row.delta >= 0 ? '+' : ''}${formatRate(row.delta)}`, formatRatio(row.ratio)];
  }
  return [row.metric, formatUs(row.direct), formatUs(row.relay), formatDeltaUs(row.delta), formatRatio(row.ratio)];
}

function counterRows(direct: StepResult | undefined, relay: StepResult | undefined): string[][] {
  const get = (step: StepResult | undefined, pick: (m: Extract<StepResult, { metrics: unknown }>['metrics']) => number) =>
    step === undefined || step.status === 'failed' ? '–' : pick(step.metrics).toLocaleString('en-US');
  const errors = (m: Extract<StepResult, { metrics: unknown }>['metrics']) => Object.values(m.counters.errors).reduce((a, b) => a + (b ?? 0), 0);
  return [
    ['transactions', get(direct, (m) => m.counters.transactions), get(relay, (m) => m.counters.transactions), '', ''],
    ['connections opened', get(direct, (m) => m.counters.connectionsOpened), get(relay, (m) => m.counters.connectionsOpened), '', ''],
    ['errors', get(direct, errors), get(relay, errors), '', ''],
  ];
}

function describeStep(step: StepResult | undefined): string {
  if (step === undefined || step.status === 'failed') return '';
  const w = (step as { metrics: { durationMs: number } }).metrics;
  return `${(w.durationMs / 1000).toFixed(1)} s measured per path`;
}

function describeUnpaired(step: StepResult): string {
  if (step.status === 'failed') return `${step.stepId}: failed`;
  const h = step.metrics.histograms.roundTrip.summary;
  return `${step.stepId}: round trip p50 ${formatUs(h.p50Us)}, p99 ${formatUs(h.p99Us)}, ${formatRate(step.metrics.roundTripsPerSec)} round trips`;
}
