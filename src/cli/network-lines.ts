// The resolved network of a plan as lines for stderr before a run starts: for a region-based
// network, every leg with the region pair and P95 it came from, per relay placement.

import type { Plan } from '../plan/build-plan.js';
import { describeRegionLegs } from '../scenario/region-network.js';

/** Nothing for a millisecond profile; the legs of every region placement otherwise. */
export function plannedNetworkLines(plan: Plan): string[] {
  const regions = plan.network.regions;
  if (regions === undefined) return [];
  const lines = [`network: ${plan.network.profile.description}`, ...describeRegionLegs(regions).map((l) => `  ${l}`)];
  for (const path of plan.paths) {
    if (path.kind !== 'relay-emulated' || path.regions === undefined) continue;
    lines.push(`path ${path.id}: relay in ${path.regions.relay}`, ...describeRegionLegs(path.regions).filter((l) => !l.startsWith('direct')).map((l) => `  ${l}`));
  }
  return lines;
}
