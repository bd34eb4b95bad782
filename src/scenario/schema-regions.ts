// The keys that place a scenario's network on Azure's map instead of stating milliseconds:
// `network: { azure: { app, relay }, site: { nearestRegion, oneWayDelayMs }, p95Scale }` and a
// relay path's own `relayRegion`. Schema fragments only; region-network.ts checks the names and
// turns them into legs.

import { z } from 'zod';
import { num } from './schema-workloads.js';

const regionName = (what: string) =>
  z.string().min(1).max(60).describe(`${what}, as Microsoft spells it (e.g. West Europe; westeurope works too); \`hcbench regions\` lists them`);

/** The region keys of a network profile (all optional; `azure` and `site` go together). */
export const regionNetworkShape = {
  azure: z
    .strictObject({
      app: regionName('Azure region of the App Service app'),
      relay: regionName('Azure region of the Relay namespace (it may sit in another region than the app)'),
    })
    .optional()
    .describe('where the app and the relay namespace are: the legs come from Azure\'s published region-to-region P95 round trips'),
  site: z
    .strictObject({
      nearestRegion: regionName('the Azure region the on-prem site reaches first'),
      oneWayDelayMs: num(0, 10_000, 'the site\'s own last mile to that region, one way, ms (added to the relay\'s leg to the site and to the direct path)').default(0),
    })
    .optional()
    .describe('the on-prem site: its nearest Azure region and its own leg to it'),
  p95Scale: num(0.01, 10, 'factor applied to every region round trip (1 = the published P95; the figures are P95, not means)').optional(),
};

/** A relay path's own relay region, instead of the network's `azure.relay` (to compare relay placements). */
export const relayRegionSchema = regionName('this path\'s relay namespace region, instead of network.azure.relay (needs a region-based network)').optional();
