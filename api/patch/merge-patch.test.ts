import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { applyMergePatch, createMergePatch } from './merge-patch.ts';

// The first test builds the OpenAPI schema catalog (about a second on a busy machine); property tests run hundreds of cases.
vi.setConfig({ testTimeout: 30_000 });

describe('applyMergePatch (RFC 7386)', () => {
  it('applies the bodies kubectl label/annotate/scale send', () => {
    const deployment = { kind: 'Deployment', metadata: { labels: { app: 'web' }, annotations: { x: '1' } }, spec: { replicas: 2, template: {} } };
    expect(applyMergePatch(deployment, { metadata: { labels: { app: null, x: 'y' } } }).metadata.labels).toEqual({ x: 'y' });
    expect(applyMergePatch(deployment, { metadata: { annotations: { a: 'b' } } }).metadata.annotations).toEqual({ x: '1', a: 'b' });
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 2 }, status: { replicas: 2 } };
    expect(applyMergePatch(scale, { spec: { replicas: 5 } })).toEqual({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 5 }, status: { replicas: 2 } });
  });

  it('replaces lists whole and does not touch its input', () => {
    const current = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
    expect(applyMergePatch(current, { spec: { containers: [{ name: 'c' }] } })).toEqual({ spec: { containers: [{ name: 'c' }] } });
    expect(current.spec.containers).toHaveLength(2);
  });

  it('RFC 7386 appendix examples', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  it('rejects a non-object patch with 400', () => {
    expect(() => applyMergePatch({}, [1])).toThrow('json: cannot unmarshal array into Go value of type map[string]interface {}');
  });

  it('createMergePatch(a, b) applied to a gives b (property)', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.array(tie('value'), { maxLength: 3 }), tie('object')),
      object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
    }));
    const objectArb = json.object as fc.Arbitrary<Record<string, unknown>>;
    fc.assert(
      fc.property(objectArb, objectArb, (a, b) => {
        expect(applyMergePatch(a, createMergePatch(a, b))).toEqual(b);
      }),
      { seed: 7386, numRuns: 300 },
    );
  });
});
