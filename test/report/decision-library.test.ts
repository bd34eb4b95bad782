// Issue #17's "Done when" on the shipped files: document-service carries its 190 ms budget,
// pricing-database and licensing-api take their distances from the region data (the planned legs
// are the data's P95 halved plus the site's leg), and the README's first screen is a real run's
// decision block of document-service stating, for each path, meets or misses with the margin.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildPlan } from '../../src/plan/build-plan.js';
import { regionTable } from '../../src/regions/load.js';
import { SAME_REGION_RTT_MS } from '../../src/regions/table.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('decision page on the scenario library', () => {
  test('document-service carries the 190 ms transaction p99 budget', async () => {
    const scenario = await loadScenarioFile('scenarios/document-service.yaml');
    expect(scenario.budget?.transactionP99Ms).toBe(190);
  });

  test.each(['pricing-database', 'licensing-api'])('%s uses a region-based network whose legs equal the region data', async (name) => {
    const plan = buildPlan(await loadScenarioFile(`scenarios/${name}.yaml`));
    const regions = plan.network.regions;
    expect(regions, 'no region placement in the plan').toBeDefined();
    const table = regionTable();
    expect(regions!.legs.map((l) => l.leg)).toEqual(['appToRelay', 'relayToAgent', 'direct']);
    for (const leg of regions!.legs) {
      // Inside one region the data has no pair: the stated same-region assumption stands in.
      const data = leg.from === leg.to ? null : (table.rttP95Ms(leg.from, leg.to) ?? Number.NaN);
      expect(leg.rttP95Ms).toBe(data);
      const regionRtt = data === null ? SAME_REGION_RTT_MS : data * regions!.p95Scale;
      const site = leg.leg === 'appToRelay' ? 0 : regions!.siteOneWayDelayMs;
      expect(plan.network.profile[leg.leg].oneWayDelayMs).toBeCloseTo(regionRtt / 2 + site, 3);
    }
    expect(regions!.siteOneWayDelayMs).toBeGreaterThan(0);
  });

  test("the README's first screen is document-service's decision block: budget met or missed with the margin, per path", () => {
    const begin = README.indexOf('<!-- verdict:begin');
    const end = README.indexOf('<!-- verdict:end -->');
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
    // First screen: before the first section heading, within the first 40 lines.
    expect(README.slice(0, end).split('\n').length).toBeLessThanOrEqual(40);
    expect(README.indexOf('\n## ')).toBeGreaterThan(end);
    const block = README.slice(begin, end);
    expect(block).toContain('hcbench run scenarios/document-service.yaml');
    expect(block).toMatch(/\ndecision · render · /);
    expect(block).toContain('budget 190 ms per transaction at p99:');
    for (const path of ['direct', 'relay-emulated']) {
      expect(block).toMatch(new RegExp(`\\n  ${path}: p99 [\\d.]+ (µs|ms|s)( †)? (meets 190 ms with [\\d.]+ ms to spare|misses 190 ms by [\\d.]+ ms)`));
    }
    expect(block).toMatch(/\nin one sentence: For render /);
  });
});
