// Name mapping for rehearsals (curl's --resolve, with an optional port): `host:port:address[:toPort]`
// sends every socket opened to `host:port` to `address:toPort` instead, while TLS still checks the
// certificate against `host` (SNI and name check unchanged). Pure parsing and printing.

import { UsageError } from '../errors.js';

/** One mapping: connections to `host:port` go to `address:toPort`. */
export interface ResolveOverride {
  /** Lower-cased host name as written in URLs (e.g. `contoso-hc.servicebus.windows.net`). */
  host: string;
  port: number;
  /** IP address to dial instead (tests: only 127.0.0.1 / ::1). */
  address: string;
  /** Port to dial; equals `port` when the spec gives none. */
  toPort: number;
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function port(text: string, spec: string, what: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value < 1 || value > 65_535) {
    throw new UsageError(`--resolve ${spec}: ${what} must be a port from 1 to 65535`);
  }
  return value;
}

/** Parses `host:port:address[:toPort]`; `address` is IPv4 or `[IPv6]`. Throws UsageError naming the spec. */
export function parseResolveOverride(spec: string): ResolveOverride {
  const match = /^([^:[\]]+):(\d+):(\[[0-9A-Fa-f:.]+\]|[0-9.]+)(?::(\d+))?$/.exec(spec.trim());
  if (match === null) {
    throw new UsageError(`--resolve ${spec}: expected host:port:address or host:port:address:port (address IPv4 or [IPv6])`);
  }
  const [, host = '', portText = '', addressText = '', toPortText] = match;
  if (!HOST.test(host)) throw new UsageError(`--resolve ${spec}: ${JSON.stringify(host)} is not a host name`);
  const v4 = IPV4.exec(addressText);
  if (!addressText.startsWith('[') && (v4 === null || v4.slice(1).some((octet) => Number(octet) > 255))) {
    throw new UsageError(`--resolve ${spec}: ${JSON.stringify(addressText)} is not an IP address`);
  }
  const from = port(portText, spec, 'the first port');
  return {
    host: host.toLowerCase(),
    port: from,
    address: addressText.startsWith('[') ? addressText.slice(1, -1) : addressText,
    toPort: toPortText === undefined ? from : port(toPortText, spec, 'the last port'),
  };
}

/** Parses several specs; a second mapping for the same `host:port` is refused. */
export function parseResolveOverrides(specs: readonly string[]): ResolveOverride[] {
  const out: ResolveOverride[] = [];
  for (const spec of specs) {
    const parsed = parseResolveOverride(spec);
    if (out.some((o) => o.host === parsed.host && o.port === parsed.port)) {
      throw new UsageError(`--resolve ${spec}: ${parsed.host}:${parsed.port} is mapped twice`);
    }
    out.push(parsed);
  }
  return out;
}

/** `host:port:address[:toPort]` (the port is left out when unchanged), the form the flag takes. */
export function formatResolveOverride(override: ResolveOverride): string {
  const address = override.address.includes(':') ? `[${override.address}]` : override.address;
  return `${override.host}:${override.port}:${address}${override.toPort === override.port ? '' : `:${override.toPort}`}`;
}

/** The mapping for `host:port`, if any (host compared case-insensitively). */
export function findResolveOverride(overrides: readonly ResolveOverride[], host: string, port: number): ResolveOverride | undefined {
  const wanted = host.toLowerCase().replace(/\.$/, '');
  return overrides.find((o) => o.host === wanted && o.port === port);
}
