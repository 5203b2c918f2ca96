import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeHash, fnv32a, safeEncodeString } from './pod-template-hash.ts';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } };

describe('pod-template-hash', () => {
  it('uses FNV-1a 32 (published test vectors)', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it('encodes decimal digits into the safe alphabet as Kubernetes does', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    expect(computeHash(template)).toMatch(/^[456789bcdf]{1,10}$/);
  });

  it('is stable for equal templates whatever their key order', () => {
    const reordered = { spec: { containers: [{ image: 'nginx:1.25', name: 'web' }] }, metadata: { labels: { app: 'web' } } };
    expect(computeHash(reordered)).toBe(computeHash(template));
    expect(computeHash({ ...template, extra: undefined })).toBe(computeHash(template));
  });

  it('changes with the template and with collisionCount', () => {
    const changed = structuredClone(template);
    changed.spec.containers[0]!.image = 'nginx:1.26';
    expect(computeHash(changed)).not.toBe(computeHash(template));
    expect(computeHash(template, 1)).not.toBe(computeHash(template));
    expect(computeHash(template, 1)).not.toBe(computeHash(template, 2));
    expect(computeHash(template, null)).toBe(computeHash(template));
  });

  it('is deterministic (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.nat({ max: 1000 }), { nil: undefined }), (value, count) => {
        expect(computeHash(value, count)).toBe(computeHash(structuredClone(value), count));
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
