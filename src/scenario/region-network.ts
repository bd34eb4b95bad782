// Region-based networks: checks the region names of a scenario (unknown ones get a "did you
// mean") and turns `azure` + `site` into the three legs hcbench emulates, from Azure's published
// region-to-region P95 round trips (src/regions/). Direction matters: app → relay, relay → site
// region and app → site region are looked up as written, never mirrored. Pure apart from reading
// the shipped data file once.

import type { z } from 'zod';
import { regionTable } from '../regions/load.js';
import { REGION_DATA_SOURCE, SAME_REGION_RTT_MS, type RegionTable } from '../regions/table.js';
import { closestMatch } from './suggest.js';

/** A network placed on Azure's map (validated names, any spelling the table accepts). */
export interface RegionPlacement {
  azure: { app: string; relay: string };
  site: { nearestRegion: string; oneWayDelayMs: number };
  p95Scale?: number | undefined;
}

/** One emulated leg, with where its delay came from. */
export interface ResolvedRegionLeg {
  leg: 'direct' | 'appToRelay' | 'relayToAgent';
  /** The direction looked up in the data (canonical names). */
  from: string;
  to: string;
  /** The published P95 round trip from → to, ms; null inside one region (not in the data). */
  rttP95Ms: number | null;
  /** The region round trip used: rttP95Ms × p95Scale, or SAME_REGION_RTT_MS inside one region, ms. */
  regionRttMs: number;
  /** The site's own one-way leg added (relay → site and direct), ms. */
  siteOneWayDelayMs: number;
  /** What the leg is given, one way: regionRttMs / 2 + siteOneWayDelayMs, ms. */
  oneWayDelayMs: number;
}

/** The legs of one placement, stored in the result's topology. */
export interface RegionResolution {
  app: string;
  relay: string;
  siteRegion: string;
  siteOneWayDelayMs: number;
  p95Scale: number;
  source: string;
  legs: ResolvedRegionLeg[];
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

function leg(table: RegionTable, name: ResolvedRegionLeg['leg'], from: string, to: string, scale: number, siteMs: number): ResolvedRegionLeg {
  const rttP95Ms = from === to ? null : (table.rttP95Ms(from, to) ?? null);
  if (from !== to && rttP95Ms === null) throw new Error(`no P95 round trip for ${from} → ${to} in the region data (validation should have said so)`);
  const regionRttMs = rttP95Ms === null ? SAME_REGION_RTT_MS : round3(rttP95Ms * scale);
  return { leg: name, from, to, rttP95Ms, regionRttMs, siteOneWayDelayMs: siteMs, oneWayDelayMs: round3(regionRttMs / 2 + siteMs) };
}

/** The three legs of `placement` (with `relayRegion` instead of azure.relay when given). Names must have been validated. */
export function resolveRegionLegs(placement: RegionPlacement, relayRegion?: string, table: RegionTable = regionTable()): RegionResolution {
  const name = (n: string) => table.canonical(n) ?? n;
  const app = name(placement.azure.app);
  const relay = name(relayRegion ?? placement.azure.relay);
  const site = name(placement.site.nearestRegion);
  const scale = placement.p95Scale ?? 1;
  const siteMs = placement.site.oneWayDelayMs;
  return {
    app,
    relay,
    siteRegion: site,
    siteOneWayDelayMs: siteMs,
    p95Scale: scale,
    source: REGION_DATA_SOURCE,
    legs: [leg(table, 'appToRelay', app, relay, scale, 0), leg(table, 'relayToAgent', relay, site, scale, siteMs), leg(table, 'direct', app, site, scale, siteMs)],
  };
}

/** `appToRelay 10 ms one way (P95 20 ms West Europe → North Europe)`, one per leg, for printing. */
export function describeRegionLegs(r: RegionResolution): string[] {
  const scale = r.p95Scale === 1 ? '' : ` × ${r.p95Scale}`;
  return r.legs.map((l) => {
    const region = l.rttP95Ms === null ? `${l.from}, same region: assumed ${SAME_REGION_RTT_MS} ms round trip` : `P95 ${l.rttP95Ms} ms ${l.from} → ${l.to}${scale}`;
    const site = l.siteOneWayDelayMs === 0 ? '' : ` + site ${l.siteOneWayDelayMs} ms`;
    return `${l.leg} ${l.oneWayDelayMs} ms one way (${region}, halved${site})`;
  });
}

interface ProfileShape {
  azure?: { app: string; relay: string } | undefined;
  site?: { nearestRegion: string; oneWayDelayMs: number } | undefined;
  p95Scale?: number | undefined;
  direct?: unknown;
  appToRelay?: unknown;
  relayToAgent?: unknown;
}

interface ScenarioShape {
  network: string | ProfileShape;
  networkProfiles?: Record<string, ProfileShape> | undefined;
  paths: { kind: string; relayRegion?: string | undefined; appToRelay?: unknown; relayToAgent?: unknown }[];
}

type Ctx = z.core.$RefinementCtx<ScenarioShape>;
type Path = (string | number)[];

/** Checks a region name; returns its canonical spelling, or undefined after adding an issue. */
function checkName(table: RegionTable, name: string, path: Path, ctx: Ctx): string | undefined {
  const canonical = table.canonical(name);
  if (canonical !== undefined) return canonical;
  const suggestion = closestMatch(name, table.regions);
  ctx.addIssue({
    code: 'custom',
    path,
    message: 'must be an Azure region of the region data (`hcbench regions` lists them)',
    params: { hint: suggestion === undefined ? `e.g. ${table.regions.slice(0, 3).join(', ')}` : `did you mean \`${suggestion}\`?` },
  });
  return undefined;
}

function checkPair(table: RegionTable, from: string | undefined, to: string | undefined, path: Path, ctx: Ctx): void {
  if (from === undefined || to === undefined || from === to || table.rttP95Ms(from, to) !== undefined) return;
  ctx.addIssue({ code: 'custom', path, message: `has no P95 round trip ${from} → ${to} in the region data` });
}

/** Checks one profile; returns whether it is region-based and complete. */
function checkProfile(table: RegionTable, profile: ProfileShape, at: Path, ctx: Ctx, relays: { relay: string; path: Path }[]): boolean {
  const hasAzure = profile.azure !== undefined;
  const hasSite = profile.site !== undefined;
  if (hasAzure !== hasSite) ctx.addIssue({ code: 'custom', path: [...at, hasAzure ? 'azure' : 'site'], message: `needs \`${hasAzure ? 'site' : 'azure'}\` too: the legs need both ends` });
  if (!hasAzure && profile.p95Scale !== undefined) ctx.addIssue({ code: 'custom', path: [...at, 'p95Scale'], message: 'only applies to a region-based network (`azure` and `site`)' });
  if (!hasAzure && !hasSite) return false;
  for (const key of ['direct', 'appToRelay', 'relayToAgent'] as const) {
    if (profile[key] !== undefined) ctx.addIssue({ code: 'custom', path: [...at, key], message: 'cannot be used together with `azure` and `site`: the legs come from the region data' });
  }
  if (profile.azure === undefined || profile.site === undefined) return false;
  const app = checkName(table, profile.azure.app, [...at, 'azure', 'app'], ctx);
  const relay = checkName(table, profile.azure.relay, [...at, 'azure', 'relay'], ctx);
  const site = checkName(table, profile.site.nearestRegion, [...at, 'site', 'nearestRegion'], ctx);
  checkPair(table, app, relay, [...at, 'azure', 'relay'], ctx);
  checkPair(table, app, site, [...at, 'site', 'nearestRegion'], ctx);
  for (const r of [{ relay: relay ?? '', path: [...at, 'azure', 'relay'] }, ...relays]) if (r.relay !== '') checkPair(table, r.relay, site, r.path, ctx);
  return true;
}

/** The zod refinement: region names, pairs, and the rules of `azure`, `site`, `p95Scale` and `relayRegion`. */
export function checkRegionNetworks(scenario: ScenarioShape, ctx: Ctx): void {
  const uses = scenario.paths.some((p) => p.relayRegion !== undefined) || [scenario.network, ...Object.values(scenario.networkProfiles ?? {})].some(
    (p) => typeof p === 'object' && (p.azure !== undefined || p.site !== undefined || p.p95Scale !== undefined),
  );
  if (!uses) return;
  const table = regionTable();
  const relays: { relay: string; path: Path }[] = [];
  scenario.paths.forEach((path, index) => {
    if (path.relayRegion === undefined) return;
    const at: Path = ['paths', index, 'relayRegion'];
    const relay = checkName(table, path.relayRegion, at, ctx);
    if (relay !== undefined) relays.push({ relay, path: at });
    for (const key of ['appToRelay', 'relayToAgent'] as const) {
      if (path[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['paths', index, key], message: 'cannot be used together with `relayRegion`: the legs come from the region data' });
    }
  });
  const active = typeof scenario.network === 'string' ? scenario.networkProfiles?.[scenario.network] : scenario.network;
  for (const [name, profile] of Object.entries(scenario.networkProfiles ?? {})) {
    if (profile !== active) checkProfile(table, profile, ['networkProfiles', name], ctx, []);
  }
  const at: Path = typeof scenario.network === 'string' ? ['networkProfiles', scenario.network] : ['network'];
  const isRegionBased = active !== undefined && checkProfile(table, active, at, ctx, relays);
  if (!isRegionBased) {
    for (const r of relays) ctx.addIssue({ code: 'custom', path: r.path, message: 'needs a region-based `network` (with `azure` and `site`) to place the relay in' });
  }
}

/** A region-based profile as the three legs a plan needs, plus where they came from. */
export function regionProfile(
  placement: RegionPlacement & { description?: string },
  relayRegion?: string,
): { profile: { description: string; direct: Leg; appToRelay: Leg; relayToAgent: Leg }; regions: RegionResolution } {
  const regions = resolveRegionLegs(placement, relayRegion);
  const legOf = (name: ResolvedRegionLeg['leg']): Leg => ({ oneWayDelayMs: regions.legs.find((l) => l.leg === name)?.oneWayDelayMs ?? 0, jitterMs: 0, bandwidthBytesPerSec: 0 });
  const site = regions.siteOneWayDelayMs === 0 ? '' : ` + ${regions.siteOneWayDelayMs} ms`;
  const scale = regions.p95Scale === 1 ? '' : `, × ${regions.p95Scale}`;
  const description =
    placement.description !== undefined && placement.description !== ''
      ? placement.description
      : `Azure regions: app ${regions.app}, relay ${regions.relay}, site near ${regions.siteRegion}${site} (published P95 round trips${scale})`;
  return { profile: { description, direct: legOf('direct'), appToRelay: legOf('appToRelay'), relayToAgent: legOf('relayToAgent') }, regions };
}

interface Leg {
  oneWayDelayMs: number;
  jitterMs: number;
  bandwidthBytesPerSec: number;
}
