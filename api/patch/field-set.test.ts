import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FieldSet } from './field-set.ts';

const element = fc.constantFrom('f:spec', 'f:metadata', 'f:labels', 'f:a', 'f:b', 'k:{"name":"web"}', 'k:{"containerPort":80,"protocol":"TCP"}', 'v:"x"', 'i:0', '.x');
const path = fc.array(element, { minLength: 1, maxLength: 4 });
const paths = fc.array(path, { maxLength: 12 });
const key = (p: string[]) => JSON.stringify(p);
const pathSet = (list: string[][]) => new Set(list.map(key));

describe('FieldSet', () => {
  it('encodes FieldsV1 with sorted keys, "." for a member with children, {} for a leaf', () => {
    const set = FieldSet.fromPaths([['f:metadata', 'f:labels', 'f:app'], ['f:spec'], ['f:spec', 'f:replicas'], ['f:data', 'f:b'], ['f:data', 'f:a']]);
    expect(JSON.stringify(set.toFieldsV1())).toBe('{"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{".":{},"f:replicas":{}}}');
    expect(new FieldSet().toFieldsV1()).toEqual({});
  });

  it('round-trips through FieldsV1 and keeps exactly the inserted paths, sorted (property)', () => {
    fc.assert(
      fc.property(paths, (list) => {
        const set = FieldSet.fromPaths(list);
        const decoded = FieldSet.fromFieldsV1(set.toFieldsV1());
        expect(decoded.equals(set)).toBe(true);
        expect(decoded.paths()).toEqual(set.paths());
        expect(pathSet(set.paths())).toEqual(pathSet(list));
        const sorted = set.paths().map((p) => p.join('\u0000'));
        expect(sorted).toEqual([...sorted].sort());
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('union, difference and intersection are the set operations on member paths; equals ignores empty branches (property)', () => {
    fc.assert(
      fc.property(paths, paths, (left, right) => {
        const a = FieldSet.fromPaths(left);
        const b = FieldSet.fromPaths(right);
        const inA = pathSet(left);
        const inB = pathSet(right);
        expect(pathSet(a.union(b).paths())).toEqual(new Set([...inA, ...inB]));
        expect(pathSet(a.difference(b).paths())).toEqual(new Set([...inA].filter((p) => !inB.has(p))));
        expect(pathSet(a.intersection(b).paths())).toEqual(new Set([...inA].filter((p) => inB.has(p))));
        expect(a.intersects(b)).toBe([...inA].some((p) => inB.has(p)));
        expect(b.intersects(a)).toBe(a.intersects(b));
        const same = inA.size === inB.size && [...inA].every((p) => inB.has(p));
        expect(a.equals(b)).toBe(same);
        // difference leaves no empty branches behind, but a set that has them still equals one without.
        const withEmptyBranch = a.union(new FieldSet());
        withEmptyBranch.children.set('f:empty', new FieldSet());
        expect(withEmptyBranch.equals(a)).toBe(true);
        expect(a.equals(withEmptyBranch)).toBe(true);
        expect(withEmptyBranch.toFieldsV1()).toEqual(a.toFieldsV1());
      }),
      { seed: 12, numRuns: 300 },
    );
  });
});
