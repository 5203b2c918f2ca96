import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clonePlain } from './clone-json.ts';

describe('clonePlain', () => {
  it('equals structuredClone on plain data, shares nothing with the original (property)', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(undefined, null, NaN, -0, 1, 'x', true), fc.array(tie('value')), fc.dictionary(fc.string(), tie('value'))),
    })).value;
    fc.assert(
      fc.property(plain, (value) => {
        const copy = clonePlain(value);
        expect(copy).toStrictEqual(structuredClone(value));
        if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('copies nested objects apart, and hands other kinds of object to structuredClone', () => {
    const original = { spec: { template: { labels: { a: 'b' } } }, when: new Date(0) };
    const copy = clonePlain(original);
    copy.spec.template.labels.a = 'c';
    expect(original.spec.template.labels.a).toBe('b');
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(original.when);
  });
});
