import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isApiError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { fixtureTypes, runKubectl, startFakeApiServer, type FakeApiServer, type RecordedRequest } from '../openapi/test-fixtures.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import { applyConflictError, serverSideApply } from './server-side-apply.ts';
import { recordUpdateManagedFields } from './managed-fields.ts';

/**
 * Real kubectl 1.32 driving a one-Deployment store built from the patch libraries: client-side
 * apply (three-way strategic merge patch), scale through /scale, server-side apply with its
 * client-side-apply upgrade, conflicts and --force-conflicts.
 */
const kubectlInstalled = existsSync('/usr/bin/kubectl');
/** Each test runs kubectl a few times; generous, since the whole suite shares two cores. */
const KUBECTL_TIMEOUT_MS = 60_000;
const BASE = '/apis/apps/v1/namespaces/default/deployments';

describe.skipIf(!kubectlInstalled)('kubectl patch bodies against the patch libraries', () => {
  let server: FakeApiServer;
  let stored: KubeObject | undefined;
  let clock = Date.parse('2026-11-23T06:00:00Z');
  let resourceVersion = 1;

  const send = (response: ServerResponse, code: number, body: unknown) => {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
    return true;
  };
  const save = (object: KubeObject) => {
    object.metadata.resourceVersion = String(++resourceVersion);
    stored = object;
    return object;
  };
  const scaleOf = (deployment: KubeObject) => ({
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: deployment.metadata.name, namespace: 'default', resourceVersion: deployment.metadata.resourceVersion },
    spec: { replicas: deployment.spec.replicas },
    status: { replicas: deployment.spec.replicas, selector: 'app=web' },
  });

  const handle = (request: RecordedRequest, response: ServerResponse): boolean => {
    if (!request.url.startsWith(BASE)) return false;
    clock += 60_000;
    const url = new URL(request.url, 'http://x');
    const manager = url.searchParams.get('fieldManager') ?? 'kubectl';
    const notFound = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "web" not found', reason: 'NotFound', details: { name: 'web', group: 'apps', kind: 'deployments' }, code: 404 };
    try {
      if (url.pathname.endsWith('/scale')) {
        if (!stored) return send(response, 404, notFound);
        if (request.method === 'GET') return send(response, 200, scaleOf(stored));
        const scale = applyMergePatch(scaleOf(stored), JSON.parse(request.body));
        const next = structuredClone(stored);
        next.spec.replicas = scale.spec.replicas;
        return send(response, 200, scaleOf(save(recordUpdateManagedFields(stored, next, manager, 'Update', { time: clock, subresource: 'scale' }))));
      }
      if (request.method === 'GET') return stored ? send(response, 200, stored) : send(response, 404, notFound);
      if (request.method === 'POST') {
        const created = JSON.parse(request.body) as KubeObject;
        created.metadata.namespace = 'default';
        return send(response, 201, save(recordUpdateManagedFields(undefined, created, manager, 'Update', { time: clock })));
      }
      if (request.method === 'PATCH') {
        if (request.contentType === 'application/apply-patch+yaml') {
          const result = serverSideApply(stored, parseYaml(request.body), { fieldManager: manager, force: url.searchParams.get('force') === 'true', time: clock });
          if (result.conflicts.length > 0) return send(response, 409, applyConflictError(result.conflicts).toStatus());
          const created = !stored;
          return send(response, created ? 201 : 200, save(result.object));
        }
        if (!stored) return send(response, 404, notFound);
        const body = JSON.parse(request.body);
        const patched =
          request.contentType === 'application/json-patch+json'
            ? applyJsonPatch(stored, body)
            : request.contentType === 'application/merge-patch+json'
              ? applyMergePatch(stored, body)
              : applyStrategicMergePatch(stored, body);
        return send(response, 200, save(recordUpdateManagedFields(stored, patched, manager, 'Update', { time: clock })));
      }
    } catch (error) {
      if (isApiError(error)) return send(response, error.code, error.toStatus());
      throw error;
    }
    return false;
  };

  beforeAll(async () => {
    server = await startFakeApiServer(fixtureTypes, handle);
  });
  afterAll(() => server.close());

  const manifest = (replicas: number, image: string, env: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        env: ${env}
      - name: side
        image: busybox
`;
  const managers = () => (stored?.metadata.managedFields as { manager: string; operation: string; subresource?: string }[]).map((m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`);

  it('client-side apply creates, then a three-way strategic merge patch updates', async () => {
    let result = await runKubectl(server.url, ['apply', '-f', '-'], manifest(2, 'nginx:1', '[{name: A, value: "1"}, {name: B, value: "2"}]'));
    expect(result.stdout.trim()).toBe('deployment.apps/web created');
    expect(managers()).toEqual(['kubectl-client-side-apply/Update']);

    // Someone else adds a container; client-side apply must keep it (it is not in last-applied).
    result = await runKubectl(server.url, ['set', 'image', 'deployment/web', 'side=busybox:2']);
    expect(result.stdout.trim()).toBe('deployment.apps/web image updated');

    result = await runKubectl(server.url, ['apply', '-f', '-'], manifest(3, 'nginx:2', '[{name: B, value: "2"}, {name: C, value: "3"}]'));
    expect(result.stdout.trim()).toBe('deployment.apps/web configured');
    expect(stored?.spec.replicas).toBe(3);
    expect(stored?.spec.template.spec.containers).toEqual([
      { name: 'web', image: 'nginx:2', env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }] },
      { name: 'side', image: 'busybox' },
    ]);
  }, KUBECTL_TIMEOUT_MS);

  it('kubectl scale takes .spec.replicas, so server-side apply of another value conflicts until forced', async () => {
    let result = await runKubectl(server.url, ['scale', 'deployment/web', '--replicas=5']);
    expect(result.stdout.trim()).toBe('deployment.apps/web scaled');
    expect(managers()).toContain('kubectl/Update/scale');

    result = await runKubectl(server.url, ['apply', '--server-side', '-f', '-'], manifest(4, 'nginx:2', '[{name: B, value: "2"}, {name: C, value: "3"}]'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1 at 2026-11-23T\d\d:\d\d:00Z: \.spec\.replicas\n/);
    expect(stored?.spec.replicas).toBe(5);

    result = await runKubectl(server.url, ['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest(4, 'nginx:2', '[{name: B, value: "2"}, {name: C, value: "3"}]'));
    expect(result.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    expect(stored?.spec.replicas).toBe(4);
    // kubectl first moves client-side-apply ownership to its server-side manager: it applies the
    // last-applied annotation as kubectl-last-applied, then replaces managedFields with a JSON patch
    // the store must honour. Forcing then takes .spec.replicas from the scale subresource's manager.
    const upgrade = server.requests.find((request) => request.contentType === 'application/json-patch+json');
    expect(JSON.parse(upgrade!.body)[0]).toMatchObject({ op: 'replace', path: '/metadata/managedFields' });
    expect(managers()).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply']);
  }, KUBECTL_TIMEOUT_MS);

  it('server-side apply removes what the manager stopped applying', async () => {
    const result = await runKubectl(server.url, ['apply', '--server-side', '-f', '-'], manifest(4, 'nginx:2', '[{name: B, value: "2"}]'));
    expect(result.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    expect(stored?.spec.template.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
  }, KUBECTL_TIMEOUT_MS);
});
