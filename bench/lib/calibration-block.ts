// The calibration block of bench/README.md (between the calibration markers): the injected-delay
// accuracy and noise floor that `hcbench calibrate` measured just before the entries of the newest
// result file that has them. A result file is input: the calibration part is not checked by the
// loader, so every field is checked here and a row with a missing or non-numeric field is left out.
// Pure: takes checked result files, returns text.

import type { ResultFile } from './result-files.js';
import { cell, fieldAt, formatMachine, formatStalls } from './readme-table.js';

type Fields = Record<string, unknown>;

const record = (value: unknown): Fields | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const grouped = (value: number): string => Math.round(value).toLocaleString('en-US');
const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${grouped(Math.abs(value))} µs`;

/** The newest file (of `newestFirst`) whose calibration has a list of delays; undefined when none has. */
export function newestCalibration(newestFirst: readonly ResultFile[]): { file: ResultFile; calibration: Fields } | undefined {
  for (const file of newestFirst) {
    const calibration = record((file.report as { calibration?: unknown }).calibration);
    if (calibration !== undefined && Array.isArray(calibration['delays'])) return { file, calibration };
  }
  return undefined;
}

function delayRow(value: unknown): string | undefined {
  const d = record(value);
  if (d === undefined || typeof d['mechanism'] !== 'string') return undefined;
  const injectedMs = num(d['injectedMs']);
  const measuredUs = num(d['measuredPerLegUs']);
  const errorUs = num(d['errorUs']);
  const errorPercent = num(d['errorPercent']);
  const floorErrorUs = num(d['floorErrorUs']);
  const samples = num(d['samples']);
  if (injectedMs === undefined || measuredUs === undefined || errorUs === undefined || errorPercent === undefined || floorErrorUs === undefined || samples === undefined) return undefined;
  const mechanism = d['mechanism'] === 'direct-delay-proxy' ? 'direct delay proxy' : d['mechanism'] === 'relay-legs' ? 'relay legs' : cell(d['mechanism']);
  return `| ${mechanism} | ${injectedMs} ms | ${grouped(measuredUs)} µs | ${signed(errorUs)} (${errorPercent.toFixed(1)} %) | ${signed(floorErrorUs)} | ${grouped(samples)} |`;
}

function noiseFloorLine(calibration: Fields): string | undefined {
  const at = (...keys: string[]): number | undefined => num(fieldAt(calibration, ...keys));
  const parts: string[] = [];
  const timerP50 = at('noiseFloor', 'timer', 'setTimeoutLateness', 'p50Us');
  const timerP99 = at('noiseFloor', 'timer', 'setTimeoutLateness', 'p99Us');
  if (timerP50 !== undefined && timerP99 !== undefined) parts.push(`setTimeout(1) lateness p50 ${grouped(timerP50)} µs / p99 ${grouped(timerP99)} µs`);
  const loopP99 = at('noiseFloor', 'eventLoopDelay', 'p99Us');
  if (loopP99 !== undefined) parts.push(`idle event-loop delay p99 ${grouped(loopP99)} µs`);
  const rttP50 = at('noiseFloor', 'loopbackRtt', 'p50Us');
  if (rttP50 !== undefined) parts.push(`loopback RTT p50 ${grouped(rttP50)} µs`);
  const resolvable = at('resolution', 'resolvableDifferenceUs');
  if (resolvable !== undefined) parts.push(`smallest resolvable p50 difference ${resolvable} µs`);
  if (parts.length === 0) return undefined;
  const stalls = formatStalls(calibration);
  return `Noise floor: ${parts.join(', ')}${stalls === undefined ? '' : `; busy-loop stalls: ${stalls}`}.`;
}

/** The Markdown block: source line, one row per injected delay, the bound verdict and the noise floor. */
export function renderCalibrationBlock(found: ReturnType<typeof newestCalibration>, resultsLabel: string): string {
  if (found === undefined) return `No result in \`${resultsLabel}\` carries a calibration yet: run \`npm run bench\` (it calibrates first), then \`npm run bench:table\`.`;
  const { file, calibration } = found;
  const rows = (calibration['delays'] as unknown[]).map(delayRow).filter((r): r is string => r !== undefined);
  const withinBound = calibration['isDelayAccuracyWithinBound'];
  const lines = [
    `From \`${cell(`${resultsLabel}/${file.name}`)}\` (\`hcbench calibrate${file.report.isQuick ? ' --quick' : ''}\`, run by the suite just before its entries, started ${cell(file.report.startedAt)}; ${formatMachine(file.report.machine)}).`,
    '',
    '| mechanism | injected per leg | measured per leg | error (from medians) | floor error (fastest) | samples |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Delays of 5 ms and more within 5 %: ${withinBound === true ? 'yes' : withinBound === false ? '**no**' : 'not stated'}.`,
  ];
  const floor = noiseFloorLine(calibration);
  if (floor !== undefined) lines.push('', floor);
  return lines.join('\n');
}
