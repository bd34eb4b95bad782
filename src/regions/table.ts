// Azure's published region-to-region round-trip times (data/azure-region-rtt-p95.csv, see
// data/README.md): parsed into a lookup by direction. Pure: text in, table out. The matrix is not
// symmetric, so every lookup names its direction and nothing is ever mirrored.

/** What the figures are, for reports and printed legs. */
export const REGION_DATA_SOURCE =
  'Microsoft "Azure network round-trip latency statistics", P95 of 30 days ending 2026-07-30 (data/azure-region-rtt-p95.csv)';

/** Round trip assumed inside one region, ms: the data has no self-pairs (the built-in same-region profile's 0.5 ms one way). */
export const SAME_REGION_RTT_MS = 1;

/** Most rows the file may have (54 regions give 2,862; room for later versions of the page). */
const MAX_ROWS = 20_000;
/** Largest plausible P95 round trip between two Azure regions, ms (the file's largest is 349). */
const MAX_RTT_MS = 2_000;
const HEADER = 'source,destination,rtt_p95_ms';
const NAME = /^[A-Za-z][A-Za-z0-9 ]{0,59}$/;

/** Region-to-region P95 round-trip times, by direction. */
export interface RegionTable {
  /** Every region in the file, as Microsoft spells it, sorted. */
  readonly regions: readonly string[];
  /** The region as the file spells it, for `West Europe`, `west europe` or `westeurope`; undefined when unknown. */
  canonical(name: string): string | undefined;
  /** P95 round trip measured from `from` to `to`, ms (canonical names); undefined when the pair is missing or the same region. */
  rttP95Ms(from: string, to: string): number | undefined;
}

/** `West Europe` and `westeurope` (Azure's programmatic name) alike: lower case, no spaces. */
export const regionKey = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

/** Parses the CSV text; throws an Error naming `file` and the line for anything malformed (the file ships with hcbench). */
export function parseRegionCsv(text: string, file: string): RegionTable {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== HEADER) throw new Error(`${file}:1: header must be "${HEADER}", got ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  if (lines.length - 1 > MAX_ROWS) throw new Error(`${file}: more than ${MAX_ROWS} rows (${lines.length - 1})`);
  const byKey = new Map<string, string>();
  const rtt = new Map<string, number>();
  lines.slice(1).forEach((line, index) => {
    const where = `${file}:${index + 2}`;
    const cells = line.split(',');
    const [source, destination, ms] = cells;
    if (cells.length !== 3 || source === undefined || destination === undefined || ms === undefined) throw new Error(`${where}: expected 3 cells, got ${cells.length}`);
    for (const name of [source, destination]) {
      if (!NAME.test(name)) throw new Error(`${where}: region name must be letters, digits and spaces, got ${JSON.stringify(name.slice(0, 80))}`);
      const known = byKey.get(regionKey(name));
      if (known !== undefined && known !== name) throw new Error(`${where}: ${JSON.stringify(name)} and ${JSON.stringify(known)} are the same region spelt twice`);
      byKey.set(regionKey(name), name);
    }
    if (source === destination) throw new Error(`${where}: a region paired with itself (${source})`);
    const value = Number(ms);
    if (!/^\d+$/.test(ms) || value > MAX_RTT_MS) throw new Error(`${where}: rtt_p95_ms must be whole milliseconds 0..${MAX_RTT_MS}, got ${JSON.stringify(ms.slice(0, 20))}`);
    const pair = `${source}\u0000${destination}`;
    if (rtt.has(pair)) throw new Error(`${where}: ${source} → ${destination} appears twice`);
    rtt.set(pair, value);
  });
  const regions = [...byKey.values()].sort((a, b) => a.localeCompare(b));
  return {
    regions,
    canonical: (name) => byKey.get(regionKey(name)),
    rttP95Ms: (from, to) => rtt.get(`${from}\u0000${to}`),
  };
}

/** The regions nearest to `from` (by its measured P95 round trip to them), nearest first. */
export function nearestRegions(table: RegionTable, from: string): { region: string; rttP95Ms: number }[] {
  return table.regions
    .flatMap((region) => {
      const ms = table.rttP95Ms(from, region);
      return ms === undefined ? [] : [{ region, rttP95Ms: ms }];
    })
    .sort((a, b) => a.rttP95Ms - b.rttP95Ms || a.region.localeCompare(b.region));
}
