import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allResourceTypes, resolveResourceName, resourceTypeForKind, resourceTypeForPlural } from './registry.ts';
import { apiVersionOf } from './resource-type.ts';

const EXPECTED: [string, string, string, string[]][] = [
  ['', 'namespaces', 'Namespace', ['ns']],
  ['', 'nodes', 'Node', ['no']],
  ['', 'pods', 'Pod', ['po']],
  ['', 'services', 'Service', ['svc']],
  ['', 'endpoints', 'Endpoints', ['ep']],
  ['', 'events', 'Event', ['ev']],
  ['', 'configmaps', 'ConfigMap', ['cm']],
  ['', 'secrets', 'Secret', []],
  ['', 'serviceaccounts', 'ServiceAccount', ['sa']],
  ['', 'podtemplates', 'PodTemplate', []],
  ['', 'replicationcontrollers', 'ReplicationController', ['rc']],
  ['', 'resourcequotas', 'ResourceQuota', ['quota']],
  ['', 'persistentvolumes', 'PersistentVolume', ['pv']],
  ['', 'persistentvolumeclaims', 'PersistentVolumeClaim', ['pvc']],
  ['', 'limitranges', 'LimitRange', ['limits']],
  ['apps', 'deployments', 'Deployment', ['deploy']],
  ['apps', 'replicasets', 'ReplicaSet', ['rs']],
  ['apps', 'daemonsets', 'DaemonSet', ['ds']],
  ['apps', 'statefulsets', 'StatefulSet', ['sts']],
  ['apps', 'controllerrevisions', 'ControllerRevision', []],
  ['batch', 'jobs', 'Job', []],
  ['batch', 'cronjobs', 'CronJob', ['cj']],
  ['autoscaling', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', ['hpa']],
  ['policy', 'poddisruptionbudgets', 'PodDisruptionBudget', ['pdb']],
  ['networking.k8s.io', 'ingresses', 'Ingress', ['ing']],
  ['networking.k8s.io', 'ingressclasses', 'IngressClass', []],
  ['coordination.k8s.io', 'leases', 'Lease', []],
  ['discovery.k8s.io', 'endpointslices', 'EndpointSlice', []],
  ['storage.k8s.io', 'storageclasses', 'StorageClass', ['sc']],
  ['apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', ['crd', 'crds']],
];

describe('resource registry', () => {
  it('holds every served kind with Kubernetes plural, kind and short names', () => {
    for (const [group, plural, kind, shortNames] of EXPECTED) {
      const type = resourceTypeForPlural(group, plural);
      expect(type, `${group}/${plural}`).toBeDefined();
      expect(type!.kind).toBe(kind);
      expect(type!.shortNames).toEqual(shortNames);
      expect(type!.singular).toBe(kind.toLowerCase());
    }
    expect(resourceTypeForPlural('events.k8s.io', 'events')?.kind).toBe('Event');
  });

  it('puts exactly the kinds kubectl get all shows in the `all` category', () => {
    const all = allResourceTypes().filter((t) => t.categories?.includes('all')).map((t) => t.plural).sort();
    expect(all).toEqual(['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
  });

  it('knows scopes, versions and subresources', () => {
    const cluster = allResourceTypes().filter((t) => !t.namespaced && !t.answer && !t.computed).map((t) => t.plural).sort();
    expect(cluster).toEqual(['clusterrolebindings', 'clusterroles', 'customresourcedefinitions', 'ingressclasses', 'namespaces', 'nodes', 'persistentvolumes', 'priorityclasses', 'storageclasses']);
    const reviews = allResourceTypes().filter((t) => t.answer).map((t) => `${t.plural}.${t.group} ${t.verbs.join(',')} ${t.namespaced}`);
    expect(reviews).toEqual(['selfsubjectaccessreviews.authorization.k8s.io create false', 'selfsubjectrulesreviews.authorization.k8s.io create false', 'selfsubjectreviews.authentication.k8s.io create false']);
    const computed = allResourceTypes().filter((t) => t.computed).map((t) => `${t.plural}.${t.group}/${t.version} ${t.kind} ${t.verbs.join(',')} ${t.namespaced}`);
    expect(computed).toEqual(['pods.metrics.k8s.io/v1beta1 PodMetrics get,list true', 'nodes.metrics.k8s.io/v1beta1 NodeMetrics get,list false']);
    expect(apiVersionOf(resourceTypeForKind('HorizontalPodAutoscaler')!)).toBe('autoscaling/v2');
    expect(resourceTypeForKind('HorizontalPodAutoscaler')!.alsoServedAs).toEqual(['v1']);
    expect(resourceTypeForKind('Pod')!.subresources).toEqual(expect.arrayContaining(['status', 'binding', 'eviction', 'log']));
    for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']) expect(resourceTypeForKind(kind)!.subresources).toEqual(['status', 'scale']);
    expect(resourceTypeForKind('ConfigMap')!.subresources).toEqual([]);
    expect(resourceTypeForKind('Event')!.group).toBe('');
  });

  it('gives every stored kind the standard verbs and a Name column', () => {
    for (const type of allResourceTypes().filter((t) => !t.answer && !t.computed)) {
      expect(type.verbs).toEqual(expect.arrayContaining(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']));
      expect(type.columns.some((c) => c.name === 'Name' && c.format === 'name')).toBe(true);
      expect(new Set(type.columns.map((c) => c.name)).size).toBe(type.columns.length);
    }
    const plurals = allResourceTypes().map((t) => `${t.group}/${t.plural}`);
    expect(new Set(plurals).size).toBe(plurals.length);
  });

  it('resolves names the way kubectl does', () => {
    const cases: [string, string, string][] = [
      ['po', '', 'Pod'],
      ['pod', '', 'Pod'],
      ['pods', '', 'Pod'],
      ['Pod', '', 'Pod'],
      ['deploy', 'apps', 'Deployment'],
      ['deploy.apps', 'apps', 'Deployment'],
      ['deployments.apps', 'apps', 'Deployment'],
      ['deployments.v1.apps', 'apps', 'Deployment'],
      ['hpa', 'autoscaling', 'HorizontalPodAutoscaler'],
      ['horizontalpodautoscalers.v1.autoscaling', 'autoscaling', 'HorizontalPodAutoscaler'],
      ['events', '', 'Event'],
      ['ev', '', 'Event'],
      ['events.events.k8s.io', 'events.k8s.io', 'Event'],
      ['ing', 'networking.k8s.io', 'Ingress'],
      ['quota', '', 'ResourceQuota'],
      ['limits', '', 'LimitRange'],
      ['pods.v1', '', 'Pod'],
      ['STS', 'apps', 'StatefulSet'],
      ['nodes', '', 'Node'],
      ['pods.metrics.k8s.io', 'metrics.k8s.io', 'PodMetrics'],
      ['podmetrics', 'metrics.k8s.io', 'PodMetrics'],
      ['nodes.v1beta1.metrics.k8s.io', 'metrics.k8s.io', 'NodeMetrics'],
    ];
    for (const [name, group, kind] of cases) {
      const type = resolveResourceName(name);
      expect(type && [type.group, type.kind], name).toEqual([group, kind]);
    }
    expect(resolveResourceName('widgets')).toBeUndefined();
    expect(resolveResourceName('deploy.batch')).toBeUndefined();
    expect(resolveResourceName('')).toBeUndefined();
  });

  it('defaults idempotently and validates the defaulted minimal object of every kind without throwing (property)', () => {
    const types = allResourceTypes();
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), (type, name) => {
        const object = { apiVersion: apiVersionOf(type), kind: type.kind, metadata: { name, ...(type.namespaced ? { namespace: 'default' } : {}) } };
        const once = type.defaults(structuredClone(object));
        expect(type.defaults(structuredClone(once))).toEqual(once);
        expect(() => type.validate(once)).not.toThrow();
        expect(() => type.validate(once, once)).not.toThrow();
        for (const column of type.columns) expect(() => column.cell(once, { now: 0 })).not.toThrow();
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});
