// The steadiness rule of issue #15 with fixed numbers: spread = (max − min) / median of the
// per-round ratios; above 10 % the ratio is "noisy, not quotable" in the console table and the
// JSON, at or below it the ratio is quoted; one round has no spread.

import { describe, expect, test } from 'vitest';
import { runSuite } from '../../bench/lib/runner.js';
import { classifySpread, NOISY_TEXT, perRoundRatios, quoteRatio, ratioSpread, SPREAD_LIMIT } from '../../bench/lib/steadiness.js';
import { renderReportJson, renderTable } from '../../bench/lib/table.js';
import type { BenchEntry, BenchReport, RoundRecord } from '../../bench/lib/types.js';

function records(pairs: readonly (readonly [number, number])[]): RoundRecord[] {
  return pairs.flatMap(([a, b], round) => [
    { round, side: 'hcbench' as const, figure: { value: a } },
    { round, side: 'reference' as const, figure: { value: b } },
  ]);
}

/** An entry whose sides return the given values round by round. */
function entry(id: string, hcbench: readonly number[], reference: readonly number[]): BenchEntry {
  return {
    id,
    title: id,
    issue: '#15',
    unit: 'req/s',
    better: 'higher',
    hcbenchLabel: 'a',
    referenceLabel: 'b',
    requires: [],
    rounds: hcbench.length,
    setup: async () => ({
      runHcbench: async (round) => ({ value: hcbench[round]! }),
      runReference: async (round) => ({ value: reference[round]! }),
      close: async () => {},
    }),
  };
}

describe('ratio spread and steadiness', () => {
  test('spread is the full range of the per-round ratios over their median', () => {
    // The issue's http run: 31.2k, 17.8k, 18.5k against 38.4k, 37.3k, 30.7k.
    const ratios = perRoundRatios(records([[31_200, 38_400], [17_800, 37_300], [18_500, 30_700]]));
    expect(ratios).toEqual([31_200 / 38_400, 17_800 / 37_300, 18_500 / 30_700]);
    const spread = ratioSpread(ratios);
    expect(spread).toBeCloseTo((31_200 / 38_400 - 17_800 / 37_300) / (18_500 / 30_700), 12);
    expect(spread).toBeCloseTo(0.5566, 3);
    expect(classifySpread(spread)).toBe('noisy');
  });

  test('classifies at the 10 % boundary: 10 % is steady, just above it is noisy', () => {
    expect(SPREAD_LIMIT).toBe(0.1);
    // ratios 9.5, 10, 10.5: (10.5 − 9.5) / 10 = 0.1 exactly in binary floating point.
    expect(ratioSpread([9.5, 10, 10.5])).toBe(0.1);
    expect(classifySpread(ratioSpread([9.5, 10, 10.5]))).toBe('steady');
    expect(classifySpread(ratioSpread([9.49, 10, 10.5]))).toBe('noisy');
    expect(classifySpread(0.1)).toBe('steady');
    expect(classifySpread(0.1001)).toBe('noisy');
    expect(classifySpread(ratioSpread([0.9, 1, 1.05]))).toBe('noisy');
    expect(classifySpread(0)).toBe('steady');
  });

  test('one round, a zero reference or a zero median gives no spread: unknown, never quoted as steady', () => {
    expect(ratioSpread(perRoundRatios(records([[5, 6]])))).toBeNull();
    expect(perRoundRatios(records([[5, 0], [5, 6]]))).toEqual([5 / 6]);
    expect(ratioSpread([0, 0, 1])).toBeNull();
    expect(classifySpread(null)).toBe('unknown');
    expect(quoteRatio(0.08, 'unknown')).toBe('0.08× (spread unknown)');
  });

  test('the ratio cell is the ratio when steady and the noisy text when noisy', () => {
    expect(quoteRatio(0.6123, 'steady')).toBe('0.61×');
    expect(quoteRatio(0.6123, 'noisy')).toBe(NOISY_TEXT);
    expect(NOISY_TEXT).toBe('noisy, not quotable');
  });

  test('the runner writes the classification into the JSON and the console table', async () => {
    const report = await runSuite(
      [entry('steady-one', [100, 103, 101], [200, 200, 200]), entry('noisy-one', [31_200, 17_800, 18_500], [38_400, 37_300, 30_700])],
      { findTool: async () => undefined },
    );
    const json = JSON.parse(renderReportJson(report)) as BenchReport;
    const [steady, noisy] = json.entries;

    expect(json.schemaVersion).toBe(2);
    expect(steady?.status === 'measured' && steady.steadiness).toBe('steady');
    expect(steady?.status === 'measured' && steady.spread).toBeCloseTo((103 / 200 - 100 / 200) / (101 / 200), 12);
    expect(noisy?.status === 'measured' && noisy.steadiness).toBe('noisy');
    const table = renderTable(report);
    expect(table).toMatch(/steady-one \(#15\)\s+101 req\/s\s+200 req\/s\s+0\.51×\s+3%/);
    expect(table).toMatch(/noisy-one \(#15\)\s+18\.5k req\/s\s+37\.3k req\/s\s+noisy, not quotable\s+56%/);
  });
});
