import { describe, expect, it, vi } from 'vitest';
import type { Schema } from '../openapi/component-schemas.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

// The first test builds the OpenAPI schema catalog (about a second on a busy machine); property tests run hundreds of cases.
vi.setConfig({ testTimeout: 30_000 });

/**
 * The ordering and retainKeys semantics of k8s.io/apimachinery's strategicpatch, on a small
 * schema: a list merged by `name`, a merged list of integers and a retainKeys map.
 */
const schema: Schema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, size: { type: 'integer' }, note: { type: 'string' } } }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    numbers: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-patch-strategy': 'merge' },
    source: { type: 'object', properties: { kind: { type: 'string' }, path: { type: 'string' }, server: { type: 'string' } }, 'x-kubernetes-patch-strategy': 'retainKeys' },
  },
};
const patch = (current: object, body: object): any => applyStrategicMergePatch(current, body, schema);
const names = (result: { items?: { name: string }[] }) => result.items?.map((item) => item.name);

describe('strategic merge patch list order', () => {
  const current = { items: [{ name: 'a', note: 'live' }, { name: 'b', size: 2, note: 'live' }, { name: 'c', size: 3 }] };

  it('deletes an item and reorders the rest, keeping server-side fields', () => {
    const result = patch(current, { '$setElementOrder/items': [{ name: 'b' }, { name: 'a' }], items: [{ name: 'c', $patch: 'delete' }] });
    expect(result.items).toEqual([{ name: 'b', size: 2, note: 'live' }, { name: 'a', note: 'live' }]);
  });

  it('changes, adds and reorders in one patch', () => {
    const result = patch(current, { '$setElementOrder/items': [{ name: 'd' }, { name: 'c' }, { name: 'a' }], items: [{ name: 'd', size: 4 }, { name: 'c', size: 30 }, { name: 'b', $patch: 'delete' }] });
    expect(result.items).toEqual([{ name: 'd', size: 4 }, { name: 'c', size: 30 }, { name: 'a', note: 'live' }]);
  });

  it('reorders with $setElementOrder alone', () => {
    expect(names(patch(current, { '$setElementOrder/items': [{ name: 'c' }, { name: 'b' }, { name: 'a' }] }))).toEqual(['c', 'b', 'a']);
  });

  it('weaves server-only items in by their live position', () => {
    const live = { items: [{ name: 'a' }, { name: 'b' }, { name: 'x' }, { name: 'y' }, { name: 'c' }, { name: 'd' }, { name: 'z' }] };
    expect(names(patch(live, { '$setElementOrder/items': [{ name: 'b' }, { name: 'a' }, { name: 'd' }, { name: 'c' }] }))).toEqual(['b', 'a', 'x', 'y', 'd', 'c', 'z']);
  });

  it('without $setElementOrder ranks the items a patch names in the patch order', () => {
    expect(names(patch(current, { items: [{ name: 'c', size: 4 }, { name: 'a', size: 1 }] }))).toEqual(['b', 'c', 'a']);
    expect(names(patch(current, { items: [{ name: 'c', size: 4 }] }))).toEqual(['a', 'b', 'c']);
    expect(patch({ numbers: [1, 2, 3] }, { numbers: [3, 1] }).numbers).toEqual([2, 3, 1]);
  });

  it('rejects a patch list whose items $setElementOrder does not name in the same order', () => {
    expect(() => patch(current, { '$setElementOrder/items': [{ name: 'a' }, { name: 'b' }], items: [{ name: 'b', size: 1 }, { name: 'a', size: 1 }] })).toThrow(
      "The order in patch list:\n[map[name:b size:1] map[name:a size:1]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
    );
    expect(() => patch({ numbers: [1] }, { '$setElementOrder/numbers': [1, 2], numbers: [3] })).toThrow("doesn't match $setElementOrder list");
    expect(patch(current, { '$setElementOrder/items': [{ name: 'a' }, { name: 'b' }], items: [{ name: 'c', $patch: 'delete' }, { name: 'b', size: 1 }] }).items).toHaveLength(2);
  });

  it('orders merged integer lists the same way, with $deleteFromPrimitiveList', () => {
    expect(patch({ numbers: [5, 6] }, { '$setElementOrder/numbers': [7, 5, 6], numbers: [7] }).numbers).toEqual([7, 5, 6]);
    expect(patch({ numbers: [5, 6, 8] }, { '$setElementOrder/numbers': [6, 5], '$deleteFromPrimitiveList/numbers': [8] }).numbers).toEqual([6, 5]);
    expect(patch({ numbers: [5, 6, 8] }, { '$setElementOrder/numbers': [9, 6, 5], numbers: [9], '$deleteFromPrimitiveList/numbers': [8] }).numbers).toEqual([9, 6, 5]);
    expect(patch({ numbers: [5, 6, 1, 2, 7, 8] }, { '$setElementOrder/numbers': [6, 5, 8, 7] }).numbers).toEqual([6, 5, 1, 2, 8, 7]);
  });
});

describe('strategic merge patch $retainKeys', () => {
  it('clears fields the patch does not retain, such as defaulted ones', () => {
    expect(patch({ source: { kind: 'disk', path: '/a' } }, { source: { $retainKeys: ['server'], server: 'nfs-1' } }).source).toEqual({ server: 'nfs-1' });
    expect(patch({ source: { kind: 'disk', path: '/a' } }, { source: { $retainKeys: ['kind', 'server'], kind: 'nfs', server: 'n' } }).source).toEqual({ kind: 'nfs', server: 'n' });
  });

  it('adds and deletes fields alongside the retained ones', () => {
    expect(patch({ source: { kind: 'disk', server: 'x' } }, { source: { $retainKeys: ['kind', 'path'], path: '/b' } }).source).toEqual({ kind: 'disk', path: '/b' });
    expect(patch({ source: { kind: 'disk', path: '/a' } }, { source: { $retainKeys: ['kind'], path: null } }).source).toEqual({ kind: 'disk' });
  });
});
