import { describe, expect, it } from 'vitest';
import { StreamTable } from './stream-table.ts';

describe('stream table', () => {
  it('numbers streams by first record, and keeps revisions and records of loaded and new streams alike', () => {
    const loaded = StreamTable.fromColumns({ names: ['a', 'b'], revisions: new Float64Array([2, 0]), counts: new Uint32Array([2, 1]), records: new Uint32Array([0, 2, 1]) });
    loaded.addRecord('b', 3, 2);
    loaded.addRecord('c', 4, 1);
    loaded.addRecord('a', 5, 1);
    const appended = new StreamTable();
    for (const [name, record, events] of [['a', 0, 2], ['b', 1, 1], ['a', 2, 1], ['b', 3, 2], ['c', 4, 1], ['a', 5, 1]] as const) appended.addRecord(name, record, events);
    for (const table of [loaded, appended]) {
      expect(table.nameList()).toEqual(['a', 'b', 'c']);
      expect(['a', 'b', 'c', 'd'].map((name) => table.revision(table.id(name)))).toEqual([3, 2, 0, -1]);
      expect([0, 1, 2].map((id) => table.recordsOf(id))).toEqual([[0, 2, 5], [1, 3], [4]]);
      expect(table.record(0, 2)).toBe(5);
      expect(table.recordCount(1)).toBe(2);
      // Durable records only (below 4): c has none and is left out; a's revision is asked for.
      expect(table.columns(4, (id) => 100 + id)).toEqual({ names: ['a', 'b'], revisions: [100, 2], counts: [2, 2], records: [0, 2, 1, 3] });
    }
  });
});
