// A merged result (`hcbench merge`) says so in every report: how many shards, which are missing
// (a partial merge measured only part of the load), how well their windows lined up, and each
// shard's generator health. A shard result says which slice it measured. Pure.

import type { RunResult } from '../metrics/result.js';

/** Lines for reports (first one the headline), or none for an ordinary run. */
export function mergeNoteLines(result: RunResult): string[] {
  if (result.shard !== undefined) {
    const { index, count, startAt } = result.shard;
    return [`SHARD ${index}/${count}: this result measured one slice of the load${startAt === undefined ? '' : `, windows from ${startAt}`}; hcbench merge adds the shards up`];
  }
  const merge = result.merge;
  if (merge === undefined) return [];
  const head = merge.partial
    ? `PARTIAL MERGE: ${merge.shards.length} of ${merge.count} shards, shard${merge.missing.length === 1 ? '' : 's'} ${merge.missing.join(', ')} missing: only part of the load was measured`
    : `merged from ${merge.count} shards, windows aligned within ${merge.worstAlignmentMs.toFixed(1)} ms`;
  const shards = merge.shards.map((s) => {
    const invalid = s.generators.filter((g) => g !== null && !g.isValid).length;
    const host = typeof s.environment['cpuModel'] === 'string' ? `, ${s.environment['cpuCount'] as number} × ${s.environment['cpuModel']}` : '';
    return `shard ${s.index} (${s.status}${host}): clock ${s.clock.offsetMs.toFixed(2)} ± ${s.clock.uncertaintyMs.toFixed(2)} ms vs ${s.clock.reference}; generator ${invalid === 0 ? 'valid' : `invalid in ${invalid} step${invalid === 1 ? '' : 's'}`}`;
  });
  return [head, ...(merge.clockNote === undefined ? [] : [`CLOCKS UNMEASURED: ${merge.clockNote}`]), ...(shards.length > 16 ? [...shards.slice(0, 16), `… ${shards.length - 16} more shards (merge.shards in the JSON)`] : shards)];
}
