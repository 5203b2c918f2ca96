import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { KubeObject } from '../../core/model/object.ts';
import { isApiError } from '../../core/errors.ts';
import { applyConflictError, serverSideApply } from './server-side-apply.ts';
import { recordUpdateManagedFields } from './managed-fields.ts';
import { applyMergePatch } from './merge-patch.ts';

// The first test builds the OpenAPI schema catalog (about a second on a busy machine); property tests run hundreds of cases.
vi.setConfig({ testTimeout: 30_000 });

const T1 = '2026-11-23T06:00:00Z';
const T2 = '2026-11-23T06:05:00Z';
const T3 = '2026-11-23T06:10:00Z';

function config(overrides: { replicas?: number; image?: string; labels?: Record<string, string>; env?: { name: string; value: string }[] } = {}) {
  const container: Record<string, unknown> = { name: 'web', image: overrides.image ?? 'nginx:1' };
  if (overrides.env) container.env = overrides.env;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: overrides.labels ?? { app: 'web' } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
    },
  };
}

/** Applies and fails the test on conflicts. */
function apply(current: KubeObject | undefined, applied: unknown, fieldManager = 'kubectl', time = T1, force = false): KubeObject {
  const result = serverSideApply(current, structuredClone(applied), { fieldManager, time, force });
  expect(result.conflicts).toEqual([]);
  return result.object;
}

function thrown(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isApiError(error)) return error.toStatus();
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('serverSideApply', () => {
  it('creates the object content and records an Apply entry in FieldsV1 form', () => {
    const created = apply(undefined, config());
    expect(created.spec.replicas).toBe(2);
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  it('is idempotent, and a sole manager\'s object is exactly its latest configuration (property)', () => {
    const env = fc.uniqueArray(fc.record({ name: fc.constantFrom('A', 'B', 'C', 'D'), value: fc.string({ maxLength: 3 }) }), { selector: (e) => e.name, maxLength: 3 });
    const configArb = fc.record({
      replicas: fc.integer({ min: 0, max: 9 }),
      image: fc.constantFrom('nginx:1', 'nginx:2'),
      labels: fc.dictionary(fc.constantFrom('app', 'tier', 'team'), fc.string({ minLength: 1, maxLength: 3 }), { minKeys: 1 }),
      env,
    });
    fc.assert(
      fc.property(configArb, configArb, (first, second) => {
        const once = apply(apply(undefined, config(first)), config(second), 'kubectl', T2);
        const twice = apply(once, config(second), 'kubectl', T3);
        expect(twice).toEqual(once);
        // What the sole manager stops applying is gone; what it applies is there.
        expect(once.metadata.labels).toEqual(second.labels);
        expect(once.spec.replicas).toBe(second.replicas);
        expect(once.spec.template.spec.containers).toEqual([{ name: 'web', image: second.image, env: second.env }]);
      }),
      { seed: 4242, numRuns: 150 },
    );
  });

  it('removes fields the manager applied before and omits now, but keeps what others own', () => {
    let live = apply(undefined, config({ labels: { app: 'web', tier: 'front', team: 'a' }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }));
    const before = live;
    live = recordUpdateManagedFields(before, applyMergePatch(before, { metadata: { labels: { team: 'b' } } }), 'kubectl-label', 'Update', { time: T2 });
    live = apply(live, config({ labels: { app: 'web' }, env: [{ name: 'A', value: '1' }] }), 'kubectl', T3);
    expect(live.metadata.labels).toEqual({ app: 'web', team: 'b' });
    expect(live.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
  });

  it('merges list-map items by key and keeps items other managers added', () => {
    let live = apply(undefined, config());
    const withSidecar = structuredClone(live);
    withSidecar.spec.template.spec.containers.push({ name: 'sidecar', image: 'envoy' });
    live = recordUpdateManagedFields(live, withSidecar, 'injector', 'Update', { time: T2 });
    live = apply(live, config({ image: 'nginx:2' }), 'kubectl', T3);
    expect(live.spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:2' }, { name: 'sidecar', image: 'envoy' }]);
  });

  it('orders list-map items as applied, keeping live-only items where they were', () => {
    const twoContainers = (names: string[]) => ({ ...config(), spec: { ...config().spec, template: { metadata: { labels: { app: 'web' } }, spec: { containers: names.map((name) => ({ name, image: name })) } } } });
    let live = apply(undefined, twoContainers(['a', 'b']));
    const withExtra = structuredClone(live);
    withExtra.spec.template.spec.containers.push({ name: 'x', image: 'x' });
    live = recordUpdateManagedFields(live, withExtra, 'injector', 'Update', { time: T2 });
    live = apply(live, twoContainers(['b', 'a']), 'kubectl', T3);
    expect(live.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['b', 'x', 'a']);
  });

  it('conflicts after kubectl scale took .spec.replicas, and force moves ownership', () => {
    let live = apply(undefined, config({ replicas: 2 }));
    live = recordUpdateManagedFields(live, applyMergePatch(live, { spec: { replicas: 5 } }), 'kubectl', 'Update', { time: T2, subresource: 'scale' });
    const result = serverSideApply(live, config({ replicas: 3 }), { fieldManager: 'kubectl', time: T3 });
    expect(result.conflicts).toEqual([{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', subresource: 'scale', time: T2, field: '.spec.replicas' }]);
    expect(result.object).toBe(live);
    expect(applyConflictError(result.conflicts).toStatus()).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1 at 2026-11-23T06:05:00Z: .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" with subresource "scale" using apps/v1 at 2026-11-23T06:05:00Z', field: '.spec.replicas' }] },
    });

    const sameValue = serverSideApply(live, config({ replicas: 5 }), { fieldManager: 'kubectl', time: T3 });
    expect(sameValue.conflicts).toEqual([]);

    const forced = apply(live, config({ replicas: 3 }), 'kubectl', T3, true);
    expect(forced.spec.replicas).toBe(3);
    expect((forced.metadata.managedFields as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`)).toEqual(['kubectl/Apply']);
  });

  it('conflicts with kubectl-client-side-apply after a client-side apply created the object', () => {
    const created = recordUpdateManagedFields(undefined, config({ replicas: 2 }) as KubeObject, 'kubectl-client-side-apply', 'Update', { time: T1 });
    expect((created.metadata.managedFields as { fieldsV1: Record<string, any> }[])[0].fieldsV1['f:metadata']['f:labels']).toEqual({ '.': {}, 'f:app': {} });
    const result = serverSideApply(created, config({ replicas: 3, image: 'nginx:2' }), { fieldManager: 'kubectl', time: T2 });
    expect(applyConflictError(result.conflicts).message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1 at 2026-11-23T06:00:00Z:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
  });

  it('gives the fields of an object without managedFields to before-first-apply', () => {
    const result = serverSideApply(config({ replicas: 2 }) as KubeObject, config({ replicas: 4 }), { fieldManager: 'kubectl', time: T1 });
    expect(result.conflicts.map((c) => `${c.manager} ${c.field}`)).toEqual(['before-first-apply .spec.replicas']);
  });

  it('rejects undeclared fields and list items without their key like Kubernetes', () => {
    const bad = { ...config(), spec: { ...config().spec, foo: 1 } };
    expect(thrown(() => serverSideApply(undefined, bad, { fieldManager: 'kubectl', time: T1 }))).toMatchObject({
      code: 400,
      message: 'failed to create typed patch object (apps/v1, Kind=Deployment default/web): .spec.foo: field not declared in schema',
    });
    const keyless = config();
    (keyless.spec.template.spec.containers[0] as Record<string, unknown>).name = undefined;
    delete (keyless.spec.template.spec.containers[0] as Record<string, unknown>).name;
    expect(thrown(() => serverSideApply(undefined, keyless, { fieldManager: 'kubectl', time: T1 })).message).toBe(
      'failed to create typed patch object (apps/v1, Kind=Deployment default/web): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
  });
});

describe('recordUpdateManagedFields', () => {
  it('gives the writer what it changed and takes it from others; removed fields leave everyone', () => {
    let live = apply(undefined, config({ labels: { app: 'web', tier: 'front' } }));
    live = recordUpdateManagedFields(live, applyMergePatch(live, { metadata: { labels: { tier: null } }, spec: { replicas: 4 } }), 'editor', 'Update', { time: T2 });
    const entries = live.metadata.managedFields as { manager: string; operation: string; time: string; fieldsV1: Record<string, any> }[];
    expect(entries.map((e) => `${e.manager}/${e.operation}`)).toEqual(['kubectl/Apply', 'editor/Update']);
    expect(entries[0].fieldsV1['f:metadata']).toEqual({ 'f:labels': { 'f:app': {} } });
    expect(entries[0].fieldsV1['f:spec']['f:replicas']).toBeUndefined();
    expect(entries[1]).toMatchObject({ time: T2, fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });

  it('ignores status on main-resource writes and spec on status writes', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: '1' }, spec: { containers: [{ name: 'a', image: 'x' }] }, status: { phase: 'Pending' } } as KubeObject;
    const created = recordUpdateManagedFields(undefined, pod, 'kubectl-create', 'Update', { time: T1 });
    expect((created.metadata.managedFields as { fieldsV1: object }[])[0].fieldsV1).toEqual({
      'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    });
    const running = recordUpdateManagedFields(created, applyMergePatch(created, { status: { phase: 'Running' } }), 'kubelet', 'Update', { time: T2, subresource: 'status' });
    const kubelet = (running.metadata.managedFields as { manager: string; subresource?: string; fieldsV1: object }[]).find((e) => e.manager === 'kubelet');
    expect(kubelet).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:phase': {} } } });
  });
});
