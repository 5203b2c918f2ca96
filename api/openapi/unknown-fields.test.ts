import { describe, expect, it, vi } from 'vitest';
import { findUnknownFields, strictDecodingError, strictPatchError } from './unknown-fields.ts';

// The first test builds the OpenAPI schema catalog (about a second on a busy machine); property tests run hundreds of cases.
vi.setConfig({ testTimeout: 30_000 });

describe('findUnknownFields', () => {
  it('reports unknown fields with Kubernetes paths, lists indexed', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { anything: 'goes' }, annotations: { 'a/b': 'c' } },
      spec: {
        foo: 1,
        replicas: 2,
        strategy: { rollingUpdate: { maxSurge: '25%' } },
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }, { name: 'b', imagePullPolicyy: 'Always' }] },
        },
      },
    };
    expect(findUnknownFields(deployment, 'Deployment')).toEqual(['spec.foo', 'spec.template.spec.containers[1].imagePullPolicyy']);
  });

  it('accepts everything in maps, RawExtension-like fields and kinds it has no schema for', () => {
    expect(findUnknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'any.key': 'v' } }, 'ConfigMap')).toEqual([]);
    expect(findUnknownFields({ kind: 'Widget', spec: { whatever: true } }, 'Widget')).toEqual([]);
    expect(findUnknownFields({ apiVersion: 'v1', kind: 'Pod', status: { bogus: 1 } }, 'Pod')).toEqual(['status.bogus']);
  });

  it('words the strict errors as kube-apiserver does', () => {
    expect(strictDecodingError(['spec.foo', 'spec.bar'], { kind: 'Deployment', version: 'v1' }).toStatus()).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"',
    });
    expect(strictPatchError({ spec: { volumes: [{ name: 'x' }] } }, ['spec.volumes']).toStatus()).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: ' "" is invalid: patch: Invalid value: "map[spec:map[volumes:[map[name:x]]]]": strict decoding error: unknown field "spec.volumes"',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: 'Invalid value: "map[spec:map[volumes:[map[name:x]]]]": strict decoding error: unknown field "spec.volumes"' }] },
    });
    expect(strictPatchError('{"spec":{"foo":1}}', ['spec.foo']).message).toBe(' "" is invalid: patch: Invalid value: "{\\"spec\\":{\\"foo\\":1}}": strict decoding error: unknown field "spec.foo"');
  });
});
