// Quantiles behind every interval, against published table values.

import { describe, expect, test } from 'vitest';
import { chiSquareQuantile, sdUncertainty, tQuantile } from '../../src/analysis/normal.js';

describe('distribution quantiles', () => {
  test('Student t at 97.5 %: exact for df 1 and 2, within 1 % from df 3', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(Math.abs(tQuantile(0.975, 3) / 3.182 - 1)).toBeLessThan(0.01);
    expect(Math.abs(tQuantile(0.975, 7) / 2.365 - 1)).toBeLessThan(0.01);
  });

  test('chi-square quantiles match the tables', () => {
    expect(chiSquareQuantile(0.025, 1)).toBeCloseTo(0.000982, 6);
    expect(chiSquareQuantile(0.975, 1)).toBeCloseTo(5.024, 3);
    expect(chiSquareQuantile(0.025, 4)).toBeCloseTo(0.484, 3);
    expect(chiSquareQuantile(0.975, 9)).toBeCloseTo(19.023, 3);
  });

  test('a standard deviation from n values is uncertain by a stated factor', () => {
    expect(sdUncertainty(1)).toBeNull();
    expect(sdUncertainty(2)!.low).toBeCloseTo(0.446, 3);
    expect(sdUncertainty(2)!.high).toBeCloseTo(31.9, 1);
    expect(sdUncertainty(10)!.high).toBeCloseTo(1.826, 2);
  });
});
