import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, deepEqual } from './canonical-json.ts';

describe('canonical JSON and semantic equality', () => {
  it('serialises independently of key order, dropping undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"x":0,"y":1}]},"b":1}');
  });

  it('treats unset, null and empty maps or lists as equal, as Semantic.DeepEqual does', () => {
    expect(deepEqual({ a: 1, labels: {} }, { a: 1 })).toBe(true);
    expect(deepEqual({ tolerations: [] }, { tolerations: null })).toBe(true);
    expect(deepEqual(undefined, {})).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: { b: '' } }, { a: {} })).toBe(false);
  });

  it('is reflexive and ignores key order (property)', () => {
    const shuffleKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffleKeys);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, shuffleKeys(v)]));
      return value;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(deepEqual(value, shuffleKeys(value))).toBe(true);
        expect(canonicalJson(value)).toBe(canonicalJson(shuffleKeys(value)));
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});
