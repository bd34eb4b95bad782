// JUnit XML read back with a standard XML parser: well-formed, the common junit-10 structure, and
// totals that agree with the test cases (what CI JUnit readers rely on).

import { describe, expect, test } from 'vitest';
import { compareResults } from '../../src/analysis/compare.js';
import { evaluateThresholds } from '../../src/analysis/thresholds.js';
import { compareSuite, renderJUnit, thresholdSuite } from '../../src/report/junit.js';
import { quietBaseline, withSlowerRelay } from '../analysis/compare-synthetic.js';
import { loadSweepFixture } from './fixture.js';
import { readJUnit } from './junit-reader.js';

describe('renderJUnit', () => {
  test('one test case per compared metric and per threshold; regressions and failed thresholds are failures', () => {
    const baseline = quietBaseline();
    const report = compareResults(baseline, withSlowerRelay(baseline), { baseline: 'b', current: 'c' });
    const verdicts = evaluateThresholds(loadSweepFixture(), ['relay.roundTrip.p50 < 60s', 'direct.roundTrip.p50 < 1us']);

    const junit = readJUnit(renderJUnit([compareSuite(report), thresholdSuite(verdicts, 'sweep', '2026-01-01T00:00:00.000Z')]));

    expect(junit.suites).toHaveLength(2);
    expect(junit.suites[0]?.testcase).toHaveLength(report.metrics.length);
    expect(junit.suites[1]?.testcase).toHaveLength(verdicts.length);
    expect(junit.failures).toBe(report.counts.regressed + verdicts.filter((v) => v.status !== 'passed').length);
  });

  test('escapes markup in names and messages and stays well-formed', () => {
    const xml = renderJUnit([{ name: 'a<b>&"c"', cases: [{ name: "x < 1ms & y > 'z'", classname: 'k', status: 'failed', message: '<&>\u0001' }] }]);

    const junit = readJUnit(xml);

    expect(junit.suites[0]?.testcase[0]?.['@_name']).toBe("x < 1ms & y > 'z'");
    expect(junit.failures).toBe(1);
  });

  test('an empty document is still valid', () => {
    expect(readJUnit(renderJUnit([])).tests).toBe(0);
  });
});
