// The emulation error is stated in every run's result and in every text report, next to the
// overhead: measured (with its traversal count) or not measured (with the reason).

import { describe, expect, test } from 'vitest';
import { createLatencyHistogram, recordUs, toRecord } from '../../src/metrics/histogram.js';
import { emulationError, latenessRecords } from '../../src/metrics/emulation.js';
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
      expect(text).toContain('direct: emulation error +8 µs per round trip (2 delayed traversals × mean 4 µs; per traversal p50 4 µs, p99 5 µs, 3 traversals)');
      expect(text).toContain('relay-emulated: emulation error not measured (no emulated distance');
    }
  });
});
