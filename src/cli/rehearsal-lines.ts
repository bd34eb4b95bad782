// What `hcbench relay --as <ns>` prints: how to map the name, what to trust, and the portal-shaped
// connection strings (the only place their keys are shown, because the user asked for them).

import { formatResolveOverride, type ResolveOverride } from '../azure/resolve-override.js';
import type { RehearsalConnectionStrings } from '../relay/rehearsal.js';

/** Everything the rehearsal banner needs. */
export interface RehearsalBanner {
  host: string;
  /** Where the emulator really listens. */
  bound: { host: string; port: number };
  resolve: ResolveOverride;
  caCertPath: string;
  connectionStrings: Record<string, RehearsalConnectionStrings>;
}

/** Human-readable lines (each ends with a newline). */
export function rehearsalLines(banner: RehearsalBanner): string[] {
  const resolve = formatResolveOverride(banner.resolve);
  const lines = [
    `REHEARSAL: the relay emulator answers as ${banner.host} (this is NOT Azure) on ${banner.bound.host}:${banner.bound.port}`,
    `map the name (no system files touched): --resolve ${resolve}   (hcbench agent / tunnel; scenario relay-azure: resolve: ["${resolve}"])`,
    `trust the CA: NODE_EXTRA_CA_CERTS=${banner.caCertPath}   (set before the process starts)`,
  ];
  for (const [name, strings] of Object.entries(banner.connectionStrings)) {
    lines.push(`hybrid connection ${name}:`);
    lines.push(`  Listen (defaultListener, for hcbench agent): ${strings.listen}`);
    lines.push(`  Send (defaultSender, for hcbench tunnel):    ${strings.send}`);
    lines.push(`  Manage (RootManageSharedAccessKey):          ${strings.manage}`);
  }
  lines.push(`to go to Azure later: keep everything, drop --resolve and NODE_EXTRA_CA_CERTS, swap only the connection strings`);
  return lines.map((line) => `${line}\n`);
}

/** The same as one JSON object (`--json`). */
export function rehearsalJson(banner: RehearsalBanner & { url: string; statsUrl: string }): string {
  return `${JSON.stringify({
    url: banner.url,
    statsUrl: banner.statsUrl,
    caCertPath: banner.caCertPath,
    rehearsal: { host: banner.host, resolve: formatResolveOverride(banner.resolve) },
    connectionStrings: banner.connectionStrings,
  })}\n`;
}
