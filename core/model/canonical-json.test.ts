import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonical, canonicalJson, deepEqual, sameCanonicalJson } from './canonical-json.ts';

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

  describe('sameCanonicalJson', () => {
    const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
    // Values close to each other: the same JSON with keys reordered, undefined members added,
    // a value changed here and there, null for undefined, odd values (NaN, functions, dates).
    const odd = fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -0, 0, '', '0', false, () => 1, new Date(0), { toJSON: () => 1 }, Object.create(null));
    const leaf = fc.oneof(fc.constantFrom<unknown>(1, 2, 'a', 'b', true, null, undefined), odd);
    const value = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__', '1'), tie('value'), { maxKeys: 3 })),
    })).value;
    const variant = (input: unknown, pick: () => number): unknown => {
      const choice = pick();
      if (choice === 0) return undefined;
      if (choice === 1) return null;
      if (Array.isArray(input)) return input.map((element) => variant(element, pick));
      if (input && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype) {
        const entries = Object.entries(input).map(([k, v]): [string, unknown] => [k, variant(v, pick)]);
        if (choice === 2) entries.reverse();
        if (choice === 3) entries.push(['z', undefined]);
        if (choice === 4) entries.pop();
        return Object.fromEntries(entries);
      }
      return choice === 5 ? 'changed' : input;
    };

    it('agrees with comparing canonical JSON texts (property)', () => {
      fc.assert(
        fc.property(value, fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 40, maxLength: 40 }), (a, picks) => {
          let i = 0;
          const b = variant(a, () => picks[i++ % picks.length]!);
          expect(sameCanonicalJson(a, b)).toBe(same(a, b));
          expect(sameCanonicalJson(b, a)).toBe(same(b, a));
          expect(sameCanonicalJson(a, a)).toBe(true);
        }),
        { seed: 20261123, numRuns: 3000 },
      );
      fc.assert(
        fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
          expect(sameCanonicalJson(a, b)).toBe(same(a, b));
        }),
        { seed: 11, numRuns: 500 },
      );
    });

    it('says what canonical JSON says for the cases that matter to immutability checks', () => {
      expect(sameCanonicalJson({ matchLabels: { app: 'web' } }, { matchLabels: { app: 'web' }, matchExpressions: undefined })).toBe(true);
      expect(sameCanonicalJson({ matchLabels: { app: 'web' } }, { matchLabels: { app: 'api' } })).toBe(false);
      expect(sameCanonicalJson(undefined, null)).toBe(true);
      expect(sameCanonicalJson({ a: null }, {})).toBe(false);
      expect(sameCanonicalJson([undefined], [null])).toBe(true);
      expect(sameCanonicalJson({ a: NaN }, { a: null })).toBe(true);
    });
  });

  it('canonical builds what the plain fromEntries version built (property)', () => {
    const reference = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reference);
      if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        return Object.fromEntries(
          Object.keys(record)
            .sort()
            .filter((k) => record[k] !== undefined)
            .map((k) => [k, reference(record[k])]),
        );
      }
      return value;
    };
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, withSparseArray: true, key: fc.oneof(fc.string(), fc.constantFrom('__proto__', '1', '10', 'toJSON')) }), (value) => {
        const built = canonical(value);
        expect(built).toStrictEqual(reference(value));
        expect(JSON.stringify(built)).toBe(JSON.stringify(reference(value)));
        expect(Object.keys(built ?? {})).toEqual(Object.keys(reference(value) ?? {}));
      }),
      { seed: 20261123, numRuns: 1000 },
    );
  });
});

