import { describe, expect, test } from 'vitest';
import { compareRuns } from '../../bench/lib/compare-runs.js';
import type { ResultEntry } from '../../bench/lib/result-files.js';

const side = (median: number, min = median, max = median) => ({ medianValue: median, minValue: min, maxValue: max, detail: {} });
const measured = (id: string, ratio: number, spread: number, hcbench: ReturnType<typeof side>): ResultEntry => ({
  id, title: id, issue: '#14', unit: 'RT/s', better: 'higher', status: 'measured', rounds: [], hcbench, reference: side(1), ratio, spread, steadiness: 'steady',
});

describe('bench run comparison', () => {
  test('a change inside the larger noise of the two runs is the same; outside it, it differs', () => {
    const a = [measured('x', 0.6, 0.08, side(1000, 960, 1040)), measured('y', 0.6, 0.02, side(1000, 990, 1010))];
    const b = [measured('x', 0.64, 0.03, side(1050, 1040, 1060)), measured('y', 0.7, 0.02, side(1000, 990, 1010))];
    const rows = compareRuns(a, b);
    expect(rows.map((r) => [r.id, r.verdict])).toEqual([['x', 'same'], ['y', 'differs']]);
    expect(rows[1]!.line).toContain('ratio 0.60 → 0.70 (+16.7 %, noise ±5 %)');
  });

  test('hcbench\'s own median counts too: same ratio, slower hcbench (and reference) differs', () => {
    const rows = compareRuns([measured('x', 0.5, 0.02, side(1000))], [measured('x', 0.5, 0.02, side(800))]);
    expect(rows[0]!.verdict).toBe('differs');
  });

  test('status changes and entries of one run only are reported, not compared', () => {
    const failed: ResultEntry = { id: 'z', title: 'z', issue: '#14', unit: 'µs', better: 'lower', status: 'failed', error: 'boom' };
    const rows = compareRuns([measured('z', 1, 0, side(1)), measured('old', 1, 0, side(1))], [failed, measured('new', 1, 0, side(1))]);
    expect(rows.map((r) => [r.id, r.verdict])).toEqual([['z', 'status'], ['old', 'only-a'], ['new', 'only-b']]);
  });
});
