import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { isApiError } from '../../core/errors.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { applyMergePatch } from './merge-patch.ts';

// The first test builds the OpenAPI schema catalog (about a second on a busy machine); property tests run hundreds of cases.
vi.setConfig({ testTimeout: 30_000 });

const lastApplied = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { annotations: {}, name: 'web', namespace: 'default' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
});

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }] },
            { name: 'side', image: 'busybox', args: ['sleep', '1'] },
          ],
          tolerations: [{ key: 'x', operator: 'Exists' }],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
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

describe('applyStrategicMergePatch with bodies real kubectl 1.32 sends', () => {
  it('kubectl apply: three-way patch with $setElementOrder and $patch: delete merges lists by name', () => {
    // Captured from `kubectl apply -f` (client-side) against a Deployment with containers web+side.
    const patch = {
      metadata: { labels: { tier: 'front' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [
              { '$setElementOrder/env': [{ name: 'B' }, { name: 'C' }], env: [{ name: 'C', value: '3' }, { $patch: 'delete', name: 'A' }], image: 'nginx:2', name: 'web' },
              { $patch: 'delete', name: 'side' },
            ],
          },
        },
      },
    };
    const result = applyStrategicMergePatch(deployment(), patch);
    expect(result.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(result.spec.replicas).toBe(3);
    expect(result.spec.template.spec.containers).toEqual([
      { name: 'web', image: 'nginx:2', env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }], ports: [{ containerPort: 80, protocol: 'TCP' }] },
    ]);
    expect(result.spec.template.spec.tolerations).toEqual([{ key: 'x', operator: 'Exists' }]);
  });

  it('kubectl set image: only the named container changes and order follows $setElementOrder', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }], containers: [{ image: 'nginx:3', name: 'web' }] } } } };
    const result = applyStrategicMergePatch(deployment(), patch);
    expect(result.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual(['web=nginx:3', 'side=busybox']);
    expect(result.spec.template.spec.containers[0].env).toHaveLength(2);
  });

  it('kubectl rollout restart: adds the restartedAt annotation to the pod template', () => {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T05:49:14Z' } } } } };
    const result = applyStrategicMergePatch(deployment(), patch);
    expect(result.spec.template.metadata).toEqual({ labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T05:49:14Z' } });
  });

  it('kubectl cordon: sets spec.unschedulable on a Node', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
    expect(applyStrategicMergePatch(node, { spec: { unschedulable: true } }).spec).toEqual({ podCIDR: '10.0.0.0/24', unschedulable: true });
  });

  it('kubectl edit: removes a container by $patch: delete and changes replicas', () => {
    const patch = { spec: { replicas: 7, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'side' }] } } } };
    const result = applyStrategicMergePatch(deployment(), patch);
    expect(result.spec.replicas).toBe(7);
    expect(result.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['web']);
  });

  it('null deletes a key; atomic lists (tolerations, args) are replaced whole', () => {
    const patch = {
      metadata: { labels: { app: null } },
      spec: { template: { spec: { tolerations: [{ key: 'y', operator: 'Exists' }], containers: [{ name: 'side', args: ['sleep', '2'] }] } } },
    };
    const result = applyStrategicMergePatch(deployment(), patch);
    expect(result.metadata.labels).toEqual({});
    expect(result.spec.template.spec.tolerations).toEqual([{ key: 'y', operator: 'Exists' }]);
    expect(result.spec.template.spec.containers[1].args).toEqual(['sleep', '2']);
  });

  it('container ports merge by containerPort; env merges by name and appends new entries', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }], env: [{ name: 'B', value: 'x' }, { name: 'Z', value: 'z' }] }] } } } };
    const web = applyStrategicMergePatch(deployment(), patch).spec.template.spec.containers[0];
    expect(web.ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
    expect(web.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: 'x' }, { name: 'Z', value: 'z' }]);
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes values', () => {
    const added = applyStrategicMergePatch(deployment(), { metadata: { finalizers: ['b', 'c'] } });
    expect(added.metadata.finalizers).toEqual(['a', 'b', 'c']);
    const removed = applyStrategicMergePatch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
    expect(removed.metadata.finalizers).toEqual(['b']);
  });

  it('$patch: replace replaces a map; $retainKeys drops unlisted keys (volume source switch)', () => {
    const replaced = applyStrategicMergePatch(deployment(), { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } });
    expect(replaced.spec.strategy).toEqual({ type: 'Recreate' });
    const patch = { spec: { template: { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/d' } }] } } } };
    expect(applyStrategicMergePatch(deployment(), patch).spec.template.spec.volumes).toEqual([{ name: 'data', hostPath: { path: '/d' } }]);
  });

  it('$patch: replace as a list element replaces the whole merging list', () => {
    const patch = { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } };
    expect(applyStrategicMergePatch(deployment(), patch).spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('server-only list items keep their place among $setElementOrder items', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'new' }, { name: 'web' }], containers: [{ name: 'new', image: 'n' }] } } } };
    const names = applyStrategicMergePatch(deployment(), patch).spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(names).toEqual(['new', 'web', 'side']);
  });

  it('rejects bad patches with Kubernetes wording', () => {
    expect(thrown(() => applyStrategicMergePatch(deployment(), [{ op: 'add' }]))).toMatchObject({ code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' });
    expect(thrown(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }))).toMatchObject({
      code: 500,
      reason: '',
      message: 'map: map[image:x] does not contain declared merge key: name',
    });
    expect(thrown(() => applyStrategicMergePatch(deployment(), { spec: { $patch: 'bogus' } })).message).toContain('unknown patch type: bogus in map:');
    expect(thrown(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { '$setElementOrder/containers': 'web' } } } }))).toMatchObject({ code: 400, message: 'invalid patch format of setElementOrder list' });
    expect(thrown(() => applyStrategicMergePatch(deployment(), { spec: { $retainKeys: ['replicas'], paused: true } }))).toMatchObject({ code: 422 });
  });

  it('does not modify its input', () => {
    const current = deployment();
    const before = JSON.stringify(current);
    applyStrategicMergePatch(current, { spec: { replicas: 9, template: { spec: { containers: [{ name: 'web', image: 'y' }] } } } });
    expect(JSON.stringify(current)).toBe(before);
  });

  it('agrees with JSON merge patch when the patch holds no lists (property)', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean());
    const labels = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.option(fc.string({ maxLength: 3 }), { nil: null }));
    const patchArb = fc.record({
      metadata: fc.record({ labels, annotations: labels }, { requiredKeys: [] }),
      spec: fc.record({ replicas: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }), paused: scalar, minReadySeconds: fc.integer() }, { requiredKeys: [] }),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(patchArb, (patch) => {
        expect(applyStrategicMergePatch(deployment(), patch)).toEqual(applyMergePatch(deployment(), patch));
      }),
      { seed: 8, numRuns: 200 },
    );
  });
});
