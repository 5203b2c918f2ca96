import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type KubernetesObject, PatchStrategy, type V1Pod, makeInformer, setHeaderOptions } from 'client-node-v1';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });
import { type RunningServer, runServe } from './serve.ts';

/**
 * A second client: @kubernetes/client-node, through the kubeconfig `orrery serve` writes, over TLS
 * (a self-signed certificate the kubeconfig trusts) with a bearer token. Its 1.x line (installed
 * as client-node-v1): 2.x depends on undici 8, which needs Node 22.
 */
let dir: string;
let server: RunningServer;
let kc: KubeConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-client-node-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=orrery', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
  await writeFile(join(dir, 'token'), 'e2e-token\n');
  server = await runServe({
    port: 0,
    data: join(dir, 'data'),
    kubeconfig: join(dir, 'kubeconfig'),
    nodes: 2,
    quiet: true,
    handleSignals: false,
    tlsCert: join(dir, 'tls.crt'),
    tlsKey: join(dir, 'tls.key'),
    tokenFile: join(dir, 'token'),
    controllerOptions: { kubelet: { startupDelayMs: 200 } },
  });
  kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function eventually<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node against orrery', () => {
  it('lists, watches through an informer, creates, patches and deletes', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);

    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const anonymous = await fetch(`${server.url}/api`).catch((error: unknown) => error);
    expect(anonymous).toBeInstanceOf(Error); // the self-signed certificate is only trusted through the kubeconfig

    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['node-1', 'node-2']);

    const seen: Array<[string, string, string | undefined]> = [];
    const informer = makeInformer<V1Pod>(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
    informer.on('add', (pod) => seen.push(['add', pod.metadata!.name!, pod.status?.phase]));
    informer.on('update', (pod) => seen.push(['update', pod.metadata!.name!, pod.status?.phase]));
    informer.on('delete', (pod) => seen.push(['delete', pod.metadata!.name!, pod.status?.phase]));
    await informer.start();

    const created = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'busybox' }] } } },
      },
    });
    expect(created.metadata?.uid).toBeTruthy();

    const running = await eventually(() => seen.find(([type, , phase]) => type === 'update' && phase === 'Running')).catch((error: unknown) => {
      const pods = [...(server.cluster.state.objects.get('Pod')?.values() ?? [])].map((p) => [p.metadata.name, p.status?.phase]);
      throw new Error(`${String(error)}: the informer saw ${JSON.stringify(seen)}; the state has ${JSON.stringify(pods)}`);
    });
    const podName = running[1];
    expect(seen.find(([type, name]) => type === 'add' && name === podName)).toBeTruthy();
    expect(informer.list('default').map((p) => p.metadata?.name)).toContain(podName);

    const patched = await apps.patchNamespacedDeployment(
      { name: 'api', namespace: 'default', body: { metadata: { labels: { team: 'orbit' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ team: 'orbit' });
    expect(server.cluster.state.objects.get('Deployment')?.get('default/api')?.metadata.labels).toEqual({ team: 'orbit' });

    await core.deleteNamespacedPod({ name: podName, namespace: 'default', gracePeriodSeconds: 0 });
    await eventually(() => seen.find(([type, name]) => type === 'delete' && name === podName));
    // The ReplicaSet brings a replacement, which the informer also sees.
    await eventually(() => seen.find(([type, name]) => type === 'add' && name !== podName));

    await apps.deleteNamespacedDeployment({ name: 'api', namespace: 'default' });
    expect(server.cluster.state.objects.get('Deployment')?.get('default/api')).toBeUndefined();
    await informer.stop();
  });

  it('defines a kind with ApiextensionsV1Api and works with its objects through CustomObjectsApi and an informer', async () => {
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    // client-node names JSONSchemaProps' `default` `_default` (it serialises it as `default`).
    await extensions.createCustomResourceDefinition({
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.toys.example.com' },
        spec: {
          group: 'toys.example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', _default: 3 } } } } } } }],
        },
      },
    });
    const definition = await extensions.readCustomResourceDefinition({ name: 'widgets.toys.example.com' });
    expect(definition.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');

    const seen: string[] = [];
    const path = '/apis/toys.example.com/v1/namespaces/default/widgets';
    const list = () => custom.listNamespacedCustomObject({ group: 'toys.example.com', version: 'v1', namespace: 'default', plural: 'widgets' });
    const informer = makeInformer<KubernetesObject>(kc, path, list as never);
    informer.on('add', (widget) => seen.push(`add ${widget.metadata!.name}`));
    informer.on('delete', (widget) => seen.push(`delete ${widget.metadata!.name}`));
    await informer.start();

    const created = (await custom.createNamespacedCustomObject({
      group: 'toys.example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: { apiVersion: 'toys.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: {} },
    })) as { spec: { size: number } };
    expect(created.spec).toEqual({ size: 3 });
    const listed = (await list()) as { items: Array<{ metadata: { name: string } }> };
    expect(listed.items.map((item) => item.metadata.name)).toEqual(['w1']);
    await eventually(() => seen.includes('add w1'));

    await custom.deleteNamespacedCustomObject({ group: 'toys.example.com', version: 'v1', namespace: 'default', plural: 'widgets', name: 'w1' });
    await eventually(() => seen.includes('delete w1'));
    await informer.stop();
    expect(server.cluster.state.objects.get('Widget')?.size ?? 0).toBe(0);
  });
});
