// Per-connection heap cost from two V8 heap snapshots of one process (before and while it holds N
// connections): objects grouped by kind and constructor, the growth divided by N. Pure: it reads
// the snapshot JSON (`.heapsnapshot`, the format V8 writes) and never touches a process.

/** The parts of a `.heapsnapshot` this module reads. */
export interface HeapSnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** One group of heap objects: how many and their own (shallow) size, bytes. */
export interface HeapGroup {
  count: number;
  bytes: number;
}

/** Node types whose names are contents, not constructors: grouped under one name each. */
const GROUP_BY_TYPE: Readonly<Record<string, string>> = {
  string: '(strings)',
  'concatenated string': '(strings)',
  'sliced string': '(strings)',
  number: '(heap numbers)',
  code: '(compiled code)',
  array: '(internal arrays)',
  regexp: '(regexps)',
};

/** Groups every node as `type:name` (closures by function name) with count and self size. */
export function groupSnapshot(snapshot: HeapSnapshotJson): Map<string, HeapGroup> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  if (stride === 0 || typeAt < 0 || nameAt < 0 || sizeAt < 0) throw new Error('not a V8 heap snapshot: node_fields lack type, name or self_size');
  const groups = new Map<string, HeapGroup>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i + stride <= nodes.length; i += stride) {
    const type = types[nodes[i + typeAt] ?? -1] ?? 'unknown';
    const name = GROUP_BY_TYPE[type] ?? (strings[nodes[i + nameAt] ?? -1] ?? '').slice(0, 60);
    const key = `${type}:${name === '' ? '(anonymous)' : name}`;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += nodes[i + sizeAt] ?? 0;
    groups.set(key, group);
  }
  return groups;
}

/** A group's growth per held connection. */
export interface PerConnectionRow {
  group: string;
  countPerConnection: number;
  bytesPerConnection: number;
}

/** Growth per connection of every group from `before` to `held`, largest first, and the total. */
export function perConnection(before: Map<string, HeapGroup>, held: Map<string, HeapGroup>, connections: number): { totalBytesPerConnection: number; rows: PerConnectionRow[] } {
  if (!(connections > 0)) throw new Error('connections must be > 0');
  const rows: PerConnectionRow[] = [];
  let total = 0;
  for (const [group, after] of held) {
    const base = before.get(group) ?? { count: 0, bytes: 0 };
    const bytes = after.bytes - base.bytes;
    total += bytes;
    rows.push({ group, countPerConnection: (after.count - base.count) / connections, bytesPerConnection: bytes / connections });
  }
  for (const [group, base] of before) if (!held.has(group)) total -= base.bytes;
  rows.sort((a, b) => b.bytesPerConnection - a.bytesPerConnection);
  return { totalBytesPerConnection: total / connections, rows };
}
