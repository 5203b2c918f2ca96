import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StatusCause } from '../errors.ts';
import { fieldErrors } from './field-errors.ts';
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';
import type { KubeObject } from './object.ts';
import { TOTAL_ANNOTATION_SIZE_LIMIT, nameRules, validateAnnotations, validateLabels, validateObjectMeta } from './object-meta-validation.ts';

/** The label and annotation checks as they were written before (Object.entries, no key memo). */
function labelsBefore(labels: Record<string, string> | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const message of isQualifiedName(key)) causes.push(fieldErrors.invalid(field, key, message));
    if (typeof value !== 'string') causes.push(fieldErrors.invalid(field, value, 'label values must be strings'));
    else for (const message of isValidLabelValue(value)) causes.push(fieldErrors.invalid(field, value, message));
  }
  return causes;
}

function annotationsBefore(annotations: Record<string, string> | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const message of isQualifiedName(key.toLowerCase())) causes.push(fieldErrors.invalid(field, key, message));
    total += key.length + String(value).length;
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(fieldErrors.tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

const piece = fc.constantFrom('a', 'B', 'x.io', 'example.com/', '/', '-', '_', '.', 'app', 'Revision', 'kubernetes.io/', '0', '');
const text = fc.array(piece, { maxLength: 5 }).map((parts) => parts.join(''));
const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.boolean());
const stringMap = fc.oneof(fc.dictionary(text, value, { maxKeys: 5 }), fc.constant(undefined), fc.constant(null), text, fc.array(text, { maxLength: 2 }));

describe('object metadata validation', () => {
  it('labels and annotations give the causes the Object.entries versions gave (keys and values repeating, valid or not)', () => {
    fc.assert(
      fc.property(stringMap, stringMap, (labels, annotations) => {
        for (let round = 0; round < 2; round++) {
          expect(validateLabels(labels as Record<string, string>, 'metadata.labels')).toEqual(labelsBefore(labels as Record<string, string>, 'metadata.labels'));
          expect(validateAnnotations(annotations as Record<string, string>, 'metadata.annotations')).toEqual(annotationsBefore(annotations as Record<string, string>, 'metadata.annotations'));
        }
      }),
      { seed: 11, numRuns: 1_000 },
    );
  });

  it('names and namespaces remembered valid are judged as on first sight', () => {
    fc.assert(
      fc.property(text, (name) => {
        const label = isDns1123Label(name);
        const subdomain = isDns1123Subdomain(name);
        expect(isDns1123Label(name)).toEqual(label);
        expect(isDns1123Subdomain(name)).toEqual(subdomain);
        expect(label.length === 0).toBe(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63);
        expect(subdomain.length === 0).toBe(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) && name.length <= 253);
      }),
      { seed: 12, numRuns: 1_000 },
    );
  });

  it('metadata with labels, annotations and finalizers in any state gives the causes of each check', () => {
    fc.assert(
      fc.property(stringMap, stringMap, fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }), text, (labels, annotations, finalizers, name) => {
        const metadata = { name, namespace: 'default', labels, annotations, finalizers } as unknown as KubeObject['metadata'];
        const causes = validateObjectMeta({ apiVersion: 'v1', kind: 'Pod', metadata }, { namespaced: true, nameRule: nameRules.dns1123Subdomain });
        const labelCauses = labelsBefore(labels as Record<string, string>, 'metadata.labels');
        const annotationCauses = annotationsBefore(annotations as Record<string, string>, 'metadata.annotations');
        for (const cause of [...labelCauses, ...annotationCauses]) expect(causes).toContainEqual(cause);
        expect(causes.filter((c) => c.field === 'metadata.labels' || c.field === 'metadata.annotations')).toEqual([...labelCauses, ...annotationCauses]);
      }),
      { seed: 13, numRuns: 500 },
    );
  });
});
