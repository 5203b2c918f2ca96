import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaFor } from '../openapi/schema-lookup.ts';
import { recordUpdateManagedFields, trackedContent } from './managed-fields.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { JsonObject } from './json-values.ts';
import { addedFieldsV1, compareFields } from './typed-fields.ts';

const name = fc.constantFrom('web', 'sidecar', 'init', 'a', 'b');
const word = fc.constantFrom('x', 'y', 'app', 'tier', 'k8s.io/name', '');
const labels = fc.dictionary(word, fc.string({ maxLength: 4 }), { maxKeys: 3 });
const port = fc.record({ containerPort: fc.integer({ min: 1, max: 4 }), protocol: fc.constantFrom('TCP', 'UDP', undefined), name: fc.option(name, { nil: undefined }) }, { requiredKeys: ['containerPort'] });
const container = fc.record(
  {
    name,
    image: fc.string({ maxLength: 5 }),
    ports: fc.array(port, { maxLength: 3 }),
    env: fc.array(fc.record({ name, value: fc.string({ maxLength: 3 }) }), { maxLength: 3 }),
    args: fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    resources: fc.record({ requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('1', '10m', '1Gi')) }, { requiredKeys: [] }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['name'] },
);
const podSpec = fc.record(
  {
    containers: fc.array(container, { maxLength: 3 }),
    nodeSelector: labels,
    tolerations: fc.array(fc.record({ key: word, operator: fc.constantFrom('Exists', 'Equal') }), { maxLength: 2 }),
    restartPolicy: fc.constantFrom('Always', 'Never'),
    hostNetwork: fc.option(fc.boolean(), { nil: null }),
  },
  { requiredKeys: [] },
);
const metadata = fc.record(
  { name, namespace: fc.constant('default'), labels, annotations: labels, finalizers: fc.array(word, { maxLength: 3 }), ownerReferences: fc.array(fc.record({ uid: name, kind: word, name }), { maxLength: 2 }) },
  { requiredKeys: ['name'] },
);
const deployment = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constant('Deployment'),
  metadata,
  spec: fc.record({ replicas: fc.integer({ min: 0, max: 5 }), selector: fc.record({ matchLabels: labels }), template: fc.record({ metadata: fc.record({ labels }, { requiredKeys: [] }), spec: podSpec }), strategy: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
});
const pod = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata, spec: podSpec, status: fc.record({ phase: fc.constant('Running') }) });
const configMap = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata, data: labels, binaryData: fc.option(labels, { nil: null }), extra: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ['apiVersion', 'kind', 'metadata'] });
const anyObject = fc.oneof(deployment, pod, configMap) as fc.Arbitrary<JsonObject & { kind: string; apiVersion: string }>;

describe('addedFieldsV1 (the fields a create records, encoded directly)', () => {
  it('equals the field set walk of compareFields({}, object), encoded, whenever it answers (property)', () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(anyObject, (object) => {
        runs++;
        const schema = schemaFor(object.kind, object.apiVersion);
        const content = trackedContent(object);
        const direct = addedFieldsV1(content, schema);
        if (direct === undefined) return;
        answered++;
        expect(direct).toEqual(compareFields({}, content, schema).added.toFieldsV1());
        // Key order too: Kubernetes serialises fieldsV1 with sorted keys and clients compare the text.
        expect(JSON.stringify(direct)).toBe(JSON.stringify(compareFields({}, content, schema).added.toFieldsV1()));
      }),
      { seed: 5, numRuns: 400 },
    );
    // It answers for most objects; it defers only on repeated list keys or malformed items.
    expect(answered).toBeGreaterThan(runs / 2);
  });

  it('defers to the general walk on a repeated list-map key, which then names the problem or merges', () => {
    const schema = schemaFor('Pod', 'v1');
    const twice = { spec: { containers: [{ name: 'web', image: 'a' }, { name: 'web', image: 'b' }] } };
    expect(addedFieldsV1(twice, schema)).toBeUndefined();
    const keyless = { spec: { containers: [{ image: 'a' }] } };
    expect(addedFieldsV1(keyless, schema)).toBeUndefined();
    expect(() => compareFields({}, keyless, schema)).toThrow(/omits key field "name"/);
  });

  it('gives a created object the same managedFields entry as the general bookkeeping would', () => {
    const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { app: 'x' } }, data: { k: 'v' } };
    const created = recordUpdateManagedFields(undefined, object, 'kubectl', 'Update', { time: Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(created.metadata.managedFields).toEqual([
      { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } },
    ]);
    // An update that changes nothing keeps the entry, as the general path decides it.
    const again = recordUpdateManagedFields(created, { ...object, metadata: { ...object.metadata, managedFields: created.metadata.managedFields } }, 'kubectl', 'Update', { time: Date.UTC(2026, 0, 3) });
    expect(again.metadata.managedFields).toEqual(created.metadata.managedFields);
    const empty = recordUpdateManagedFields(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'e' } } as KubeObject, 'kubectl', 'Update', { time: 0 });
    expect(empty.metadata.managedFields).toBeUndefined();
  });
});
