import { describe, expect, it } from 'vitest';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName } from './names.ts';
import { validateObjectMeta } from './object-meta-validation.ts';
import { fieldErrors, formatBadValue, formatCauses } from './field-errors.ts';

describe('name syntax (k8s.io/apimachinery/pkg/util/validation)', () => {
  it('checks DNS-1123 labels and subdomains with Kubernetes messages', () => {
    expect(isDns1123Label('web-1')).toEqual([]);
    expect(isDns1123Label('Web')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDns1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isDns1123Subdomain('web.example.com')).toEqual([]);
    expect(isDns1123Subdomain('-web')[0]).toMatch(/^a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.'/);
    expect(isDns1123Subdomain('a'.repeat(254))[0]).toBe('must be no more than 253 characters');
    expect(isDns1035Label('1abc')).toHaveLength(1);
    expect(isDns1035Label('abc-1')).toEqual([]);
  });

  it('checks qualified names (label keys) and label values', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('Example.com/name')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName('/name')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of alphanumeric characters.* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    expect(isQualifiedName('x'.repeat(64))).toContain('name part must be no more than 63 characters');
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_x')).toEqual([]);
    expect(isValidLabelValue('-bad')).toHaveLength(1);
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('http--x')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
  });
});

describe('field errors and ObjectMeta validation', () => {
  it('words causes like field.Error.ErrorBody', () => {
    expect(fieldErrors.required('spec.containers')).toEqual({ reason: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' });
    expect(fieldErrors.invalid('spec.replicas', -1, 'must be greater than or equal to 0').message).toBe('Invalid value: -1: must be greater than or equal to 0');
    expect(fieldErrors.notSupported('spec.type', 'X', ['A', 'B']).message).toBe('Unsupported value: "X": supported values: "A", "B"');
    expect(fieldErrors.forbidden('spec', 'nope').message).toBe('Forbidden: nope');
    expect(formatBadValue({ b: '2', a: '1' })).toBe('map[string]string{"a":"1", "b":"2"}');
    expect(formatCauses([fieldErrors.required('a'), fieldErrors.required('b')])).toBe('[a: Required value, b: Required value]');
  });

  it('checks namespace scope, owner references and immutable identity fields', () => {
    const options = { namespaced: true, nameRule: isDns1123Subdomain };
    expect(validateObjectMeta({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, options)).toEqual([{ reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' }]);
    expect(validateObjectMeta({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'p-', namespace: 'default' } }, options)).toEqual([]);
    const owned = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
        ],
      },
    };
    expect(validateObjectMeta(owned, options)[0]!.message).toMatch(/Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/);
    const old = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' } };
    expect(validateObjectMeta({ ...old, metadata: { ...old.metadata, uid: 'u2' } }, options, old)).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.uid', message: 'Invalid value: "u2": field is immutable' }]);
  });
});

describe('finalizers', () => {
  it('accepts qualified names, rejects orphan with foregroundDeletion, and knows the core group rule', async () => {
    const { validateFinalizers, validateKubeFinalizerNames } = await import('./object-meta-validation.ts');
    expect(validateFinalizers(['kubernetes', 'foregroundDeletion', 'example.com/cleanup'], 'metadata.finalizers')).toEqual([]);
    expect(validateFinalizers(['orphan', 'foregroundDeletion'], 'metadata.finalizers')[0]!.message).toBe(
      'Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
    );
    expect(validateFinalizers(['bad name'], 'metadata.finalizers')[0]!.field).toBe('metadata.finalizers[0]');
    expect(validateKubeFinalizerNames(['kubernetes', 'example.com/x'], 'metadata.finalizers')).toEqual([]);
    expect(validateKubeFinalizerNames(['cleanup'], 'metadata.finalizers')).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.finalizers[0]', message: 'Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified' },
    ]);
  });

  it('gives the same answers when asked again (valid keys and values are remembered, invalid ones are not)', () => {
    for (let round = 0; round < 2; round++) {
      expect(isQualifiedName('example.com/tier')).toEqual([]);
      expect(isQualifiedName('-bad')).toHaveLength(1);
      expect(isQualifiedName('a/b/c')).toHaveLength(1);
      expect(isValidLabelValue('web-1')).toEqual([]);
      expect(isValidLabelValue('bad value')).toHaveLength(1);
    }
    const answer = isQualifiedName('example.com/tier');
    answer.push('changed by a caller');
    expect(isQualifiedName('example.com/tier')).toEqual([]);
  });
});
