import { describe, expect, it, vi } from 'vitest';
import { openApiV3Document, openApiV3Hash, openApiV3Root } from './documents.ts';
import { fixtureTypes } from './test-fixtures.ts';
import { mergeKeyOf, schemaFor, schemaNameFor } from './schema-lookup.ts';

// The first test builds the OpenAPI schema catalog (about a second on a busy machine); property tests run hundreds of cases.
vi.setConfig({ testTimeout: 30_000 });

const apps = () => openApiV3Document('apps/v1', fixtureTypes);
const core = () => openApiV3Document('v1', fixtureTypes);

describe('openApiV3Root', () => {
  it('lists each group-version with a hashed server-relative URL', () => {
    const root = openApiV3Root(['v1', 'apps/v1'], fixtureTypes);
    expect(Object.keys(root.paths)).toEqual(['api/v1', 'apis/apps/v1']);
    expect(root.paths['apis/apps/v1'].serverRelativeURL).toBe(`/openapi/v3/apis/apps/v1?hash=${openApiV3Hash('apps/v1', fixtureTypes)}`);
    expect(openApiV3Hash('apps/v1', fixtureTypes)).toMatch(/^[0-9A-F]{128}$/);
    expect(openApiV3Hash('v1', fixtureTypes)).not.toBe(openApiV3Hash('apps/v1', fixtureTypes));
  });
});

describe('openApiV3Document', () => {
  it('names schemas the way Kubernetes does and marks top-level kinds with their GVK', () => {
    const schemas = apps().components.schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(schemas['io.k8s.api.apps.v1.DeploymentList']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'DeploymentList' }]);
    for (const name of ['io.k8s.api.core.v1.PodTemplateSpec', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', 'io.k8s.api.autoscaling.v1.Scale'])
      expect(schemas[name], name).toBeDefined();
    expect(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true });
    expect(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].type).toBe('string');
    expect(schemas['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
    expect(schemas['io.k8s.api.apps.v1.Deployment'].description).toBe('Deployment enables declarative updates for Pods and ReplicaSets.');
    expect(schemas['io.k8s.api.core.v1.Pod']).toBeUndefined();
  });

  it('carries the list and patch extensions of the hand-kept table', () => {
    const schemas = core().components.schemas;
    expect(schemas['io.k8s.api.core.v1.PodSpec'].properties.containers).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(schemas['io.k8s.api.core.v1.PodSpec'].properties.volumes['x-kubernetes-patch-strategy']).toBe('merge,retainKeys');
    expect(schemas['io.k8s.api.core.v1.PodSpec'].properties.tolerations['x-kubernetes-list-type']).toBe('atomic');
    expect(schemas['io.k8s.api.core.v1.ServicePort']).toBeDefined();
    expect(schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-list-map-keys']).toEqual(['port', 'protocol']);
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.finalizers).toMatchObject({ 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
    expect(mergeKeyOf('Pod', ['spec', 'containers', 'ports'])).toBe('containerPort');
    expect(mergeKeyOf('Deployment', ['spec', 'template', 'spec', 'containers', 'volumeMounts'], 'apps/v1')).toBe('mountPath');
  });

  it('offers fieldValidation, dryRun, fieldManager and force on every PATCH of a kind, as kubectl checks', () => {
    const paths = apps().paths;
    const patchOps = Object.values(paths).flatMap((item: any) => (item.patch ? [item.patch] : []));
    expect(patchOps.length).toBe(3);
    for (const op of patchOps) {
      expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'force']);
      expect(op['x-kubernetes-action']).toBe('patch');
      expect(Object.keys(op.requestBody.content)).toContain('application/apply-patch+yaml');
    }
    const item = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.patch.operationId).toBe('patchAppsV1NamespacedDeployment');
    expect(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  it('has list, create, get, replace, patch, delete and watch operations with Kubernetes actions', () => {
    const paths = core().paths;
    const actions = (path: string) => Object.entries(paths[path]).filter(([method]) => method !== 'parameters').map(([method, op]: [string, any]) => `${method}:${op['x-kubernetes-action']}`);
    expect(actions('/api/v1/namespaces/{namespace}/pods')).toEqual(['get:list', 'post:post', 'delete:deletecollection']);
    expect(actions('/api/v1/namespaces/{namespace}/pods/{name}')).toEqual(['get:get', 'put:put', 'patch:patch', 'delete:delete']);
    expect(actions('/api/v1/watch/namespaces/{namespace}/pods/{name}')).toEqual(['get:watch']);
    expect(actions('/api/v1/pods')).toEqual(['get:list']);
    expect(actions('/api/v1/nodes/{name}')).toEqual(['get:get', 'put:put', 'patch:patch', 'delete:delete']);
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind']).toEqual({ group: 'policy', version: 'v1', kind: 'Eviction' });
  });

  it('resolves every $ref inside the document', () => {
    for (const document of [apps(), core(), openApiV3Document('orrery.dev/v1', fixtureTypes)]) {
      const text = JSON.stringify(document);
      for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) expect(document.components.schemas[name], name).toBeDefined();
    }
  });

  it('describes kinds client-node does not know with an open schema', () => {
    const widget = openApiV3Document('orrery.dev/v1', fixtureTypes).components.schemas['io.orrery.orrery.dev.v1.Widget'];
    expect(widget['x-kubernetes-group-version-kind']).toEqual([{ group: 'orrery.dev', version: 'v1', kind: 'Widget' }]);
    expect(widget['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('finds schemas by kind, core first, or by apiVersion', () => {
    expect(schemaNameFor('Event')).toBe('io.k8s.api.core.v1.Event');
    expect(schemaNameFor('Event', 'events.k8s.io/v1')).toBe('io.k8s.api.events.v1.Event');
    expect(schemaNameFor('HorizontalPodAutoscaler', 'autoscaling/v2')).toBe('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
    expect(schemaFor('Nope')).toBeUndefined();
  });
});

describe('documents for the real resource registry', () => {
  it('describe every registered kind with a schema carrying its GVK', async () => {
    const { allResourceTypes } = await import('../../core/model/registry.ts');
    const { apiVersionOf } = await import('../../core/model/resource-type.ts');
    const groupVersions = [...new Set(allResourceTypes().map((type) => apiVersionOf(type)))];
    expect(Object.keys(openApiV3Root(groupVersions).paths)).toContain('apis/apps/v1');
    for (const type of allResourceTypes()) {
      const document = openApiV3Document(apiVersionOf(type));
      const kinds = Object.values(document.components.schemas).flatMap((schema: any) => schema['x-kubernetes-group-version-kind'] ?? []);
      expect(kinds, `${apiVersionOf(type)} ${type.kind}`).toContainEqual({ group: type.group, version: type.version, kind: type.kind });
      expect(schemaNameFor(type.kind, apiVersionOf(type)), type.kind).toBeDefined();
      for (const version of type.alsoServedAs ?? []) {
        const older = openApiV3Document(`${type.group}/${version}`);
        expect(older.components.schemas[`io.k8s.api.${type.group}.${version}.${type.kind}`]['x-kubernetes-group-version-kind']).toEqual([{ group: type.group, version, kind: type.kind }]);
        expect(older.paths[`/apis/${type.group}/${version}/namespaces/{namespace}/${type.plural}/{name}`].patch['x-kubernetes-group-version-kind']).toEqual({ group: type.group, version, kind: type.kind });
      }
    }
  });
});
