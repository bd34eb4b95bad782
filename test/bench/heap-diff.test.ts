import { describe, expect, it } from 'vitest';
import { type HeapSnapshotJson, groupSnapshot, perConnection } from '../../bench/lib/heap-diff.js';

/** A snapshot in V8's layout: nodes as [type, name, id, self_size, edge_count] rows. */
function snapshotOf(rows: [type: number, name: string, size: number][]): HeapSnapshotJson {
  const strings: string[] = [];
  const nodes: number[] = [];
  rows.forEach(([type, name, size], id) => {
    let at = strings.indexOf(name);
    if (at < 0) at = strings.push(name) - 1;
    nodes.push(type, at, id, size, 0);
  });
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number']] } },
    nodes,
    strings,
  };
}

describe('heap-diff', () => {
  it('groups by type and constructor, strings and internal arrays under one name each', () => {
    const groups = groupSnapshot(snapshotOf([[3, 'Socket', 200], [3, 'Socket', 200], [5, 'onData', 56], [2, 'hello', 24], [2, 'world', 32], [1, '', 40], [5, '', 32]]));
    expect(groups.get('object:Socket')).toEqual({ count: 2, bytes: 400 });
    expect(groups.get('closure:onData')).toEqual({ count: 1, bytes: 56 });
    expect(groups.get('string:(strings)')).toEqual({ count: 2, bytes: 56 });
    expect(groups.get('array:(internal arrays)')).toEqual({ count: 1, bytes: 40 });
    expect(groups.get('closure:(anonymous)')).toEqual({ count: 1, bytes: 32 });
  });

  it('divides the growth by the connections held, largest first, and the total counts groups that vanished', () => {
    const before = groupSnapshot(snapshotOf([[3, 'Socket', 200], [3, 'Cache', 1000]]));
    const held = groupSnapshot(snapshotOf([[3, 'Socket', 200], [3, 'Socket', 200], [3, 'Socket', 200], [5, 'onData', 56], [5, 'onData', 56]]));
    const { totalBytesPerConnection, rows } = perConnection(before, held, 2);
    expect(rows[0]).toEqual({ group: 'object:Socket', countPerConnection: 1, bytesPerConnection: 200 });
    expect(rows[1]).toEqual({ group: 'closure:onData', countPerConnection: 1, bytesPerConnection: 56 });
    // +400 sockets +112 closures −1000 cache, over 2 connections.
    expect(totalBytesPerConnection).toBe((400 + 112 - 1000) / 2);
  });

  it('rejects what is not a heap snapshot and a connection count that is not positive', () => {
    const bad = { snapshot: { meta: { node_fields: ['id'], node_types: [[]] } }, nodes: [1], strings: [] } as unknown as HeapSnapshotJson;
    expect(() => groupSnapshot(bad)).toThrow(/not a V8 heap snapshot/);
    expect(() => perConnection(new Map(), new Map(), 0)).toThrow(/connections must be > 0/);
  });
});
