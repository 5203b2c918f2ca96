import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyWith } from './copy-with.ts';
import { literalCopy, literalCopyWith } from './literal-copy.ts';

// Field names that make awkward literal keys as well as ordinary ones (quotes, integer-like, empty).
const fieldName = fc.oneof(
  fc.constantFrom('name', 'uid', 'labels', 'nodeName', 'resourceVersion', 'phase', 'a"b', "it's", '0', '12', '', 'back\\slash', 'line\u2028sep', 'constructor', 'toString'),
  fc.string({ maxLength: 6 }),
);
const record = fc.dictionary(fieldName, fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.constant(null), fc.object({ maxDepth: 1 })), { maxKeys: 12 }).map(
  // fast-check's dictionaries have no prototype; stored objects are plain ones.
  (fields) => Object.fromEntries(Object.entries(fields)),
);

describe('literalCopy', () => {
  it('gives what copyWith gives (same fields, same order, same values), or undefined for fewer than five fields', () => {
    fc.assert(
      fc.property(record, fc.option(fieldName, { nil: undefined }), fc.anything(), (source, key, value) => {
        const before = { ...source };
        const copy = literalCopy(source, key, value);
        const expected = key === undefined ? copyWith(source, {}) : copyWith(source, { [key]: value });
        const fields = Object.keys(expected);
        if (fields.length < 5 || fields.includes('__proto__')) {
          expect(copy).toBeUndefined();
          return;
        }
        expect(copy).toBeDefined();
        expect(copy).not.toBe(source);
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
        expect(Object.keys(copy!)).toEqual(fields);
        for (const field of fields) expect((copy as Record<string, unknown>)[field]).toBe((expected as Record<string, unknown>)[field]);
        expect(source).toEqual(before);
      }),
      // Few enough runs that the field-name tree (bounded at 2,048 names) never fills here.
      { seed: 7, numRuns: 120 },
    );
  });

  it('with several fields gives what copyWith gives, or undefined for fewer than five fields', () => {
    fc.assert(
      fc.property(record, record, (source, fields) => {
        const before = { ...source };
        const copy = literalCopyWith(source, fields);
        const expected = copyWith(source, fields);
        const names = Object.keys(expected);
        if (names.length < 5 || names.includes('__proto__')) {
          expect(copy).toBeUndefined();
          return;
        }
        expect(Object.keys(copy!)).toEqual(names);
        for (const name of names) expect((copy as Record<string, unknown>)[name]).toBe((expected as Record<string, unknown>)[name]);
        expect(source).toEqual(before);
      }),
      { seed: 11, numRuns: 60 },
    );
  });

  it('leaves arrays, class instances, null-prototype objects and a __proto__ field to the caller', () => {
    expect(literalCopy(['a', 'b', 'c', 'd', 'e', 'f'])).toBeUndefined();
    expect(literalCopy(new (class { a = 1; b = 2; c = 3; d = 4; e = 5 })())).toBeUndefined();
    expect(literalCopy(Object.assign(Object.create(null), { a: 1, b: 2, c: 3, d: 4, e: 5 }))).toBeUndefined();
    expect(literalCopy(JSON.parse('{"a":1,"b":2,"c":3,"d":4,"__proto__":{"x":1}}'))).toBeUndefined();
    expect(literalCopy({ a: 1, b: 2, c: 3, d: 4 }, '__proto__', { x: 1 })).toBeUndefined();
  });
});
