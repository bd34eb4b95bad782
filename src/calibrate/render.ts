// Renders a CalibrationResult for the console. Pure: returns a string.

import { BOUNDED_FROM_MS, DELAY_ERROR_BOUND_PERCENT } from './run-calibration.js';
import type { CalibrationResult, CpuStalls, DurationSummaryUs } from '../metrics/calibration-result.js';

const us = (s: DurationSummaryUs) => `p50 ${s.p50Us} µs, p99 ${s.p99Us} µs, max ${s.maxUs} µs (n=${s.count})`;

/** `12 ≥ 20 µs in 2000 ms (0.4 % of the time), longest 1500 µs; ideal dispatch-lag p99 0 µs (…)`. */
export function stalls(s: CpuStalls): string {
  return `${s.stalls} ≥ ${s.thresholdUs} µs in ${s.durationMs} ms (${s.stalledPercent} % of the time), longest ${s.longestUs} µs; ideal dispatch-lag p99 ${s.idealLagP99Us} µs (the floor under any generator's)`;
}

export function renderCalibration(result: CalibrationResult): string {
  const n = result.noiseFloor;
  const lines = [
    `hcbench calibrate — ${result.measuredAt} (${(result.durationMs / 1000).toFixed(1)} s)`,
    '',
    'noise floor',
    `  hrtime resolution         ${n.timer.hrtimeResolutionNs} ns`,
    `  setTimeout(1) lateness    ${us(n.timer.setTimeoutLateness)}`,
    `  event-loop delay (idle)   ${us(n.eventLoopDelay)}`,
    `  loopback TCP RTT, 64 B    ${us(n.loopbackRtt)}`,
    ...(n.cpuStalls === undefined ? [] : [`  busy-loop stalls          ${stalls(n.cpuStalls)}`]),
    '',
    'injected delay accuracy (per leg, through the role processes a run uses; measured = (p50 round trip with − same mechanism at zero distance) ÷ traversals)',
    `  ${'mechanism'.padEnd(20)}${'injected'.padStart(10)}${'measured'.padStart(12)}${'error'.padStart(10)}${'error %'.padStart(9)}${'floor err'.padStart(11)}  samples`,
  ];
  for (const d of result.delays) {
    const flag = d.injectedMs >= BOUNDED_FROM_MS && d.errorPercent >= DELAY_ERROR_BOUND_PERCENT ? '  ← over bound' : '';
    lines.push(
      `  ${d.mechanism.padEnd(20)}${`${d.injectedMs} ms`.padStart(10)}${`${d.measuredPerLegUs} µs`.padStart(12)}${`${d.errorUs > 0 ? '+' : ''}${d.errorUs} µs`.padStart(10)}${`${d.errorPercent.toFixed(1)}%`.padStart(9)}${`${d.floorErrorUs > 0 ? '+' : ''}${d.floorErrorUs} µs`.padStart(11)}  ${d.samples}${flag}`,
    );
  }
  lines.push(
    '  (error: from medians, includes the machine\'s scheduling noise; floor err: from the fastest round trips, the mechanism alone)',
    `  delays >= ${BOUNDED_FROM_MS} ms within ${DELAY_ERROR_BOUND_PERCENT}%: ${result.isDelayAccuracyWithinBound ? 'yes' : 'NO'}`,
    '',
    'resolution',
    `  window medians of loopback RTT: σ ${result.resolution.windowMedianStdDevUs} µs over ${result.resolution.windows} windows × ${result.resolution.roundTripsPerWindow} round trips`,
    `  smallest resolvable p50 overhead difference: ${result.resolution.resolvableDifferenceUs} µs (1.96·√2·σ, 95 %)`,
    '',
  );
  return lines.join('\n');
}
