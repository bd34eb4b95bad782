// The region data and what scenarios make of it: lookups by direction (A→B is not B→A), unknown
// names refused with file, line, key and a suggestion (exit 3), and legs that equal the data file
// as read here independently (P95 round trip halved, plus the site's own leg).

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ExitCode, ScenarioError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { regionTable } from '../../src/regions/load.js';
import { nearestRegions, parseRegionCsv, SAME_REGION_RTT_MS } from '../../src/regions/table.js';
import { parseScenarioText } from '../../src/scenario/load.js';
import { runCli } from '../helpers/cli.js';
import { plannedNetworkLines } from '../../src/cli/network-lines.js';
import type { RunResult } from '../../src/metrics/result.js';

/** The CSV read without the code under test: `source→destination` to ms. */
const raw = new Map(
  readFileSync(new URL('../../data/azure-region-rtt-p95.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [a, b, ms] = line.split(',');
      return [`${a}→${b}`, Number(ms)] as const;
    }),
);

const scenario = (network: string, paths = '  - kind: direct\n  - kind: relay-emulated\n') =>
  `name: regions\ntarget: { kind: tcp-request-response }\nnetwork:\n${network}paths:\n${paths}workload: { kind: tcp-request-response }\n`;

function issuesOf(text: string): ScenarioError {
  try {
    parseScenarioText(text, 'regions.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('region table', () => {
  test('holds every row of the file: 54 regions, 2,862 directed pairs, each value as written', () => {
    const table = regionTable();
    expect(table.regions).toHaveLength(54);
    expect(raw.size).toBe(2862);
    for (const [pair, ms] of raw) {
      const [from, to] = pair.split('→') as [string, string];
      expect(table.rttP95Ms(from, to)).toBe(ms);
    }
  });

  test('direction matters: West Europe → North Europe is 20 ms, North Europe → West Europe 19 ms; neither is mirrored', () => {
    const table = regionTable();
    expect(table.rttP95Ms('West Europe', 'North Europe')).toBe(20);
    expect(table.rttP95Ms('North Europe', 'West Europe')).toBe(19);
    const asymmetric = [...raw].filter(([pair, ms]) => {
      const [a, b] = pair.split('→');
      return raw.get(`${b}→${a}`) !== ms;
    });
    expect(asymmetric.length).toBe(2 * 1031);
  });

  test('accepts Microsoft\'s spelling in any case and the programmatic name; unknown names and self-pairs have no value', () => {
    const table = regionTable();
    expect(table.canonical('westeurope')).toBe('West Europe');
    expect(table.canonical('WEST EUROPE')).toBe('West Europe');
    expect(table.canonical('Atlantis')).toBeUndefined();
    expect(table.rttP95Ms('West Europe', 'West Europe')).toBeUndefined();
  });

  test('nearest regions are sorted by the round trip from the region, and exclude itself', () => {
    const near = nearestRegions(regionTable(), 'West Europe');
    expect(near).toHaveLength(53);
    expect(near[0]).toEqual({ region: 'Belgium Central', rttP95Ms: 10 });
    for (let i = 1; i < near.length; i++) expect(near[i]!.rttP95Ms).toBeGreaterThanOrEqual(near[i - 1]!.rttP95Ms);
  });

  test('a malformed file is refused with its line', () => {
    expect(() => parseRegionCsv('source,destination,rtt_p95_ms\nA,B,5\nA,B,6\n', 'x.csv')).toThrow('x.csv:3: A → B appears twice');
    expect(() => parseRegionCsv('source,destination,rtt_p95_ms\nA,B,-5\n', 'x.csv')).toThrow('x.csv:2: rtt_p95_ms');
    expect(() => parseRegionCsv('src,dst,ms\n', 'x.csv')).toThrow('x.csv:1: header');
  });
});

describe('region-based scenarios', () => {
  test('the resolved legs equal the data: app→relay, relay→site region and app→site region, halved, plus the site leg', () => {
    const text = scenario('  azure: { app: West Europe, relay: North Europe }\n  site: { nearestRegion: UK South, oneWayDelayMs: 4 }\n');
    const plan = buildPlan(parseScenarioText(text, 'regions.yaml'));
    const legs = plan.network.profile;
    expect(legs.appToRelay.oneWayDelayMs).toBe(raw.get('West Europe→North Europe')! / 2);
    expect(legs.relayToAgent.oneWayDelayMs).toBe(raw.get('North Europe→UK South')! / 2 + 4);
    expect(legs.direct.oneWayDelayMs).toBe(raw.get('West Europe→UK South')! / 2 + 4);
    const relay = plan.paths.find((p) => p.kind === 'relay-emulated');
    const direct = plan.paths.find((p) => p.kind === 'direct');
    expect(relay?.kind === 'relay-emulated' && relay.appToRelay).toEqual(legs.appToRelay);
    expect(direct?.kind === 'direct' && direct.direct).toEqual(legs.direct);
    expect(plan.network.regions?.legs.map((l) => [l.leg, l.from, l.to, l.rttP95Ms])).toEqual([
      ['appToRelay', 'West Europe', 'North Europe', 20],
      ['relayToAgent', 'North Europe', 'UK South', raw.get('North Europe→UK South')],
      ['direct', 'West Europe', 'UK South', raw.get('West Europe→UK South')],
    ]);
  });

  test('p95Scale scales the region round trips, not the site leg; one region uses the stated same-region assumption', () => {
    const text = scenario('  azure: { app: westeurope, relay: West Europe }\n  site: { nearestRegion: North Europe, oneWayDelayMs: 2 }\n  p95Scale: 0.5\n');
    const { profile } = buildPlan(parseScenarioText(text, 'regions.yaml')).network;
    expect(profile.appToRelay.oneWayDelayMs).toBe(SAME_REGION_RTT_MS / 2);
    expect(profile.relayToAgent.oneWayDelayMs).toBe((raw.get('West Europe→North Europe')! * 0.5) / 2 + 2);
  });

  test('a relay path with its own relayRegion gets legs from that region; the others keep the network\'s', () => {
    const text = scenario(
      '  azure: { app: West Europe, relay: West Europe }\n  site: { nearestRegion: West Europe, oneWayDelayMs: 1 }\n',
      '  - kind: direct\n  - kind: relay-emulated\n  - kind: relay-emulated\n    id: relay-east-us\n    relayRegion: East US\n',
    );
    const plan = buildPlan(parseScenarioText(text, 'regions.yaml'));
    const far = plan.paths.find((p) => p.id === 'relay-east-us');
    const near = plan.paths.find((p) => p.id === 'relay-emulated');
    if (far?.kind !== 'relay-emulated' || near?.kind !== 'relay-emulated') throw new Error('paths missing');
    expect(far.appToRelay.oneWayDelayMs).toBe(raw.get('West Europe→East US')! / 2);
    expect(far.relayToAgent.oneWayDelayMs).toBe(raw.get('East US→West Europe')! / 2 + 1);
    expect(far.regions?.relay).toBe('East US');
    expect(near.appToRelay.oneWayDelayMs).toBe(SAME_REGION_RTT_MS / 2);
    expect(near.regions).toBeUndefined();
  });

  test('the legs are printed before a run: every leg with its region pair and P95, per relay placement', () => {
    const text = scenario(
      '  azure: { app: West Europe, relay: West Europe }\n  site: { nearestRegion: North Europe, oneWayDelayMs: 2 }\n',
      '  - kind: direct\n  - kind: relay-emulated\n  - { kind: relay-emulated, id: far, relayRegion: East US }\n',
    );
    const lines = plannedNetworkLines(buildPlan(parseScenarioText(text, 'regions.yaml')));
    const ne = raw.get('West Europe→North Europe')!;
    expect(lines).toContain(`  direct ${ne / 2 + 2} ms one way (P95 ${ne} ms West Europe → North Europe, halved + site 2 ms)`);
    expect(lines).toContain('path far: relay in East US');
    expect(lines).toContain(`  relayToAgent ${raw.get('East US→North Europe')! / 2 + 2} ms one way (P95 ${raw.get('East US→North Europe')} ms East US → North Europe, halved + site 2 ms)`);
  });

  test('a real run\'s result topology stores the resolved legs, equal to the data (test/fixtures/results/decision-run.json)', () => {
    const result = JSON.parse(readFileSync(new URL('../fixtures/results/decision-run.json', import.meta.url), 'utf8')) as RunResult;
    const paths = result.topology!.paths as { id: string; appToRelay?: { oneWayDelayMs: number }; relayToAgent?: { oneWayDelayMs: number }; regions?: { legs: { leg: string; rttP95Ms: number | null }[] } }[];
    const far = paths.find((p) => p.id === 'relay-north-europe')!;
    expect(far.regions?.legs.filter((l) => l.leg !== 'direct').map((l) => [l.leg, l.rttP95Ms])).toEqual([
      ['appToRelay', raw.get('West Europe→North Europe')],
      ['relayToAgent', raw.get('North Europe→West Europe')],
    ]);
    expect(far.appToRelay?.oneWayDelayMs).toBe(raw.get('West Europe→North Europe')! / 2);
    expect(far.relayToAgent?.oneWayDelayMs).toBe(raw.get('North Europe→West Europe')! / 2 + 1);
    expect((result.topology!.network as { regions?: { app: string } }).regions?.app).toBe('West Europe');
  });

  test('unknown names: exit 3, each named with file, line, key and a did-you-mean', () => {
    const error = issuesOf(
      scenario('  azure: { app: Wset Europe, relay: North Europe }\n  site: { nearestRegion: Atlantis }\n', '  - kind: direct\n  - kind: relay-emulated\n    relayRegion: Nort Europe\n'),
    );
    expect(error.exitCode).toBe(ExitCode.InvalidScenario);
    const issues = error.issues.map((i) => ({ path: i.path, line: i.line, hint: i.hint }));
    expect(issues).toEqual([
      { path: 'network.azure.app', line: 4, hint: 'did you mean `West Europe`?' },
      { path: 'network.site.nearestRegion', line: 5, hint: expect.stringContaining('e.g. ') },
      { path: 'paths[1].relayRegion', line: 9, hint: 'did you mean `North Europe`?' },
    ]);
    expect(error.message).toContain('regions.yaml:4:');
  });

  test('mixing regions with millisecond legs, half a placement, or relayRegion without regions is refused', () => {
    const mixed = issuesOf(scenario('  azure: { app: West Europe, relay: West Europe }\n  direct: { oneWayDelayMs: 3 }\n'));
    expect(mixed.issues.map((i) => i.path).sort()).toEqual(['network.azure', 'network.direct']);
    const orphan = issuesOf(scenario('  direct: { oneWayDelayMs: 3 }\n', '  - kind: direct\n  - kind: relay-emulated\n    relayRegion: East US\n'));
    expect(orphan.issues.map((i) => [i.path, i.message])).toEqual([['paths[1].relayRegion', expect.stringContaining('needs a region-based `network`')]]);
  });
});

describe('hcbench regions', () => {
  test('lists every region; --near lists both directions, nearest first', async () => {
    const all = await runCli(['regions']);
    expect(all.exitCode).toBe(ExitCode.Ok);
    expect(all.stdout).toContain('54 regions');
    const near = await runCli(['regions', '--near', 'west europe']);
    expect(near.exitCode).toBe(ExitCode.Ok);
    const row = near.stdout.split('\n').find((l) => l.startsWith('North Europe'));
    expect(row?.split(/\s{2,}/).slice(1)).toEqual(['20 ms', '19 ms']);
  });

  test('an unknown --near name is a usage error with a suggestion', async () => {
    const run = await runCli(['regions', '--near', 'Wset Europe']);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('did you mean `West Europe`?');
  });
});
