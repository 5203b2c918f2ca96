import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { asUsualObject, copyWith, podMetadataWithVersion, podStatusWithConditions, podStatusWithContainers, podWith } from './copy-with.ts';

// Objects that have, or lack, the fields the pod copies set, in any order among others.
const fieldName = fc.constantFrom('metadata', 'status', 'spec', 'kind', 'resourceVersion', 'name', 'conditions', 'containerStatuses', 'phase', 'hostIP');
const record = fc.dictionary(fieldName, fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.object({ maxDepth: 1 })), { maxKeys: 8 });

/** Same fields, same values (by reference), same order. */
function expectSameCopy(actual: object, expected: object, source: object | undefined): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const key of Object.keys(expected)) expect((actual as Record<string, unknown>)[key]).toBe((expected as Record<string, unknown>)[key]);
  expect(actual).not.toBe(source);
}

describe('pod copies', () => {
  it('give what copyWith gives, leaving the source as it was', () => {
    fc.assert(
      fc.property(record, fc.option(record, { nil: undefined }), fc.anything(), fc.anything(), fc.string(), (source, maybe, a, b, version) => {
        const before = { ...source };
        expectSameCopy(podWith(source as KubeObject, a as KubeObject['metadata'], b), copyWith(source, { metadata: a, status: b }), source);
        expectSameCopy(podMetadataWithVersion(source, version), copyWith(source, { resourceVersion: version }), source);
        expectSameCopy(podStatusWithContainers(source, a, b), copyWith(source, { containerStatuses: a, conditions: b }), source);
        expectSameCopy(podStatusWithConditions(maybe, a), copyWith(maybe, { conditions: a }), maybe);
        expect(source).toEqual(before);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  // Objects with the usual five fields in the usual order, or in another order, or with one more or one less.
  const value = fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.object({ maxDepth: 1 }));
  const usual = fc.record({ apiVersion: value, kind: value, metadata: value, spec: value, status: value });
  const nearUsual = fc.oneof(
    usual,
    usual.chain((o) => fc.shuffledSubarray(Object.keys(o), { minLength: 4 }).map((keys) => Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]])))),
    usual.map((o) => ({ ...o, extra: 1 })),
    record,
  );

  it('are made as one literal exactly when the fields are the usual ones in the usual order, with what copyWith gives', () => {
    fc.assert(
      fc.property(nearUsual, fc.anything(), fc.anything(), fc.anything(), (source, a, b, c) => {
        const before = { ...source };
        const made = asUsualObject(source as KubeObject, a as KubeObject['metadata'], b, c);
        const isUsual = Object.keys(source).join() === 'apiVersion,kind,metadata,spec,status';
        expect(made !== undefined).toBe(isUsual);
        if (made) expectSameCopy(made, copyWith(source, { metadata: a, spec: b, status: c }), source);
        expectSameCopy(podWith(source as KubeObject, a as KubeObject['metadata'], b), copyWith(source, { metadata: a, status: b }), source);
        expect(source).toEqual(before);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
