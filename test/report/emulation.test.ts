// The emulation error is stated in every run's result and in every text report, next to the
// overhead: measured (with its traversal count) or not measured (with the reason).

import { describe, expect, test } from 'vitest';
import { createLatencyHistogram, recordUs, toRecord } from '../../src/metrics/histogram.js';
import { emulationError, latenessRecords, latenessSince, withCalibration } from '../../src/analysis/emulation-error.js';
import { renderConsole } from '../../src/report/console.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { parseRunResult } from '../../src/report/parse-result.js';
import { loadQuickstartFixture } from './fixture.js';

function lateness(valuesUs: number[]) {
  const h = createLatencyHistogram();
  for (const v of valuesUs) recordUs(h, v);
  return toRecord(h);
}

const leg = (oneWayDelayMs: number) => ({ oneWayDelayMs, jitterMs: 0, bandwidthBytesPerSec: 0 });

describe('emulation error', () => {
  test('merges the lateness every holding component counted (relay, each agent, forwarder), not the agents sum twice', () => {
    const counters = {
      relay: { releaseLateness: lateness([10, 10]) },
      agent: { releaseLateness: lateness([99]) }, // the sum of the agents: skipped
      agents: { a0: { releaseLateness: lateness([20]) } },
      forwarder: { releaseLateness: lateness([30]) },
    };
    expect(latenessRecords(counters)).toHaveLength(3);
    const e = emulationError({ id: 'relay', kind: 'relay-emulated', appToRelay: leg(0.5), relayToAgent: leg(5) }, counters);
    expect(e).toMatchObject({ measured: true, traversalsPerRoundTrip: 4, configuredRoundTripMs: 11 });
    expect(e.perTraversalErrorUs).toMatchObject({ count: 4, p50: 10, mean: 17.5, max: 30 });
    expect(e.roundTripErrorUs).toBe(70); // 4 traversals × the mean, not the p50
  });

  test('counts only the lateness since an earlier read (a warm-up before the measurement is left out)', () => {
    const before = { relay: { releaseLateness: lateness([5000, 10]) }, forwarder: { releaseLateness: lateness([4000]) } };
    const after = { relay: { releaseLateness: lateness([5000, 10, 20, 30]) }, forwarder: { releaseLateness: lateness([4000, 40]) } };
    const since = latenessSince(after, before);
    const e = emulationError({ id: 'relay', kind: 'relay-emulated', appToRelay: leg(1), relayToAgent: leg(1) }, since);
    expect(e.perTraversalErrorUs).toMatchObject({ count: 3, max: 40, mean: 30 });
    expect(latenessSince({}, before)).toBeUndefined();
    expect(emulationError({ id: 'r', kind: 'relay-emulated', appToRelay: leg(1), relayToAgent: leg(1) }, latenessSince(after, undefined)).perTraversalErrorUs).toMatchObject({ count: 6 });
  });

  test('is not measured, with a reason, on a path without distance, a real relay, or without counters', () => {
    expect(emulationError({ id: 'd', kind: 'direct', direct: leg(0) }, {})).toMatchObject({ measured: false, traversalsPerRoundTrip: 0 });
    expect(emulationError({ id: 'r', kind: 'relay-azure' }, {}).reason).toMatch(/real Azure Relay/);
    const unread = emulationError({ id: 'd', kind: 'direct', direct: leg(5) }, undefined);
    expect(unread).toMatchObject({ measured: false, traversalsPerRoundTrip: 2 });
    expect(unread.reason).toMatch(/no held traversal/);
  });

  test('console, markdown and html state it per path; a result without the field says it was not recorded', () => {
    const result = loadQuickstartFixture();
    delete result.emulation;
    for (const text of [renderConsole(result), renderMarkdown(result), renderHtml(result)]) expect(text).toContain('emulation error: not recorded');
    result.emulation = {
      direct: emulationError({ id: 'direct', kind: 'direct', direct: leg(5.5) }, { delayShim: { releaseLateness: lateness([3, 4, 5]) } }),
      'relay-emulated': emulationError({ id: 'relay-emulated', kind: 'relay-emulated', appToRelay: leg(0), relayToAgent: leg(0) }, {}),
    };
    const roundTripped = parseRunResult(JSON.stringify(result), 'summary.json');
    for (const text of [renderConsole(roundTripped), renderMarkdown(roundTripped), renderHtml(roundTripped)]) {
      expect(text).toContain(
        'direct: emulation error: release lateness +8 µs per round trip (2 delayed traversals × mean 4 µs; per traversal p50 4 µs, p99 5 µs, 3 traversals) on 11 ms configured; hand-offs into idle processes not included',
      );
      expect(text).toContain('relay-emulated: emulation error not measured (no emulated distance');
    }
  });

  test('calibration figures state the whole error per path: the same mechanism at the calibrated delay nearest the mean leg', () => {
    const emulation = {
      direct: emulationError({ id: 'direct', kind: 'direct', direct: leg(5.5) }, { delayShim: { releaseLateness: lateness([3, 4, 5]) } }),
      relay: emulationError({ id: 'relay', kind: 'relay-emulated', appToRelay: leg(0.5), relayToAgent: leg(5) }, { relay: { releaseLateness: lateness([10]) } }),
      near: emulationError({ id: 'near', kind: 'direct', direct: leg(0) }, {}),
    };
    const calibration = {
      measuredAt: '2026-11-30T08:00:00.000Z',
      delays: [
        { mechanism: 'direct-delay-proxy', injectedMs: 1, errorUs: 150 },
        { mechanism: 'direct-delay-proxy', injectedMs: 5, errorUs: 193 },
        { mechanism: 'direct-delay-proxy', injectedMs: 20, errorUs: 240 },
        { mechanism: 'relay-legs', injectedMs: 1, errorUs: 200 },
        { mechanism: 'relay-legs', injectedMs: 5, errorUs: 269 },
      ],
    };
    const calibrated = withCalibration(emulation, calibration);
    // direct: one 5.5 ms leg → the 5 ms figure, 2 traversals.
    expect(calibrated['direct']!.calibrated).toEqual({ injectedMs: 5, perTraversalErrorUs: 193, roundTripErrorUs: 386, measuredAt: calibration.measuredAt });
    // relay: legs 0.5 and 5 ms, mean 2.75 ms → nearer 1 ms than 5 ms; 4 traversals.
    expect(calibrated['relay']!.calibrated).toMatchObject({ injectedMs: 1, perTraversalErrorUs: 200, roundTripErrorUs: 800 });
    expect(calibrated['near']!.calibrated).toBeUndefined();
    const result = loadQuickstartFixture();
    result.emulation = calibrated;
    const text = renderConsole(parseRunResult(JSON.stringify(result), 'summary.json'));
    expect(text).toContain('direct: emulation error +386 µs per round trip (calibrated at 5 ms per leg: +193 µs per traversal, 2026-11-30T08:00:00.000Z); of it release lateness +8 µs');
  });
});
