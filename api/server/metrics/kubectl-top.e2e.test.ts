import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { HAS_KUBECTL, type KubectlHarness, eventually, startKubectlHarness } from '../testing/kubectl-harness.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/**
 * The real kubectl (v1.32) running `kubectl top` against a real server: metrics.k8s.io computed from
 * the cluster state when read. Heartbeats are slowed (and the node lifecycle's grace lengthened to
 * match) so that nothing but the test writes to the log while it reads: the reads must append nothing.
 */
let harness: KubectlHarness;

beforeAll(async () => {
  if (!HAS_KUBECTL) return;
  harness = await startKubectlHarness('top', {
    nodes: 2,
    controllerOptions: { kubelet: { startupDelayMs: 200, heartbeatIntervalMs: 600_000 }, nodeLifecycle: { nodeMonitorGracePeriodMs: 1_800_000 } },
  });
});

afterAll(async () => {
  await harness?.close();
});

const kubectl = (args: string[]) => harness.kubectl(args);
const ok = (args: string[]) => harness.ok(args);
const object = (kind: string, namespace: string, name: string): KubeObject | undefined => harness.server.cluster.state.objects.get(kind)?.get(`${namespace}/${name}`);
const pods = (namespace: string, app: string): KubeObject[] =>
  [...(harness.server.cluster.state.objects.get('Pod')?.values() ?? [])].filter((p) => p.metadata.namespace === namespace && p.metadata.labels?.app === app);

// Two web pods on node-1 sharing an 800m load: 400m each, split 300m/100m by the containers' cpu
// requests; memory from the requests, 96Mi + 32Mi. `solo` on node-2 gives its own usage (250m,
// 200Mi). `done` on node-2 ran and exited 0, so it is Succeeded and has no metrics.
const manifests = `apiVersion: v1
kind: Namespace
metadata: {name: tools}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  annotations: {sim.orrery.dev/cpu-load: 800m}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {kubernetes.io/hostname: node-1}
      containers:
      - {name: app, image: nginx, resources: {requests: {cpu: 300m, memory: 96Mi}}}
      - {name: log, image: fluent-bit, resources: {requests: {cpu: 100m, memory: 32Mi}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  namespace: tools
  labels: {app: solo}
  annotations: {sim.orrery.dev/cpu-usage: 250m, sim.orrery.dev/memory-usage: 200Mi}
spec:
  nodeSelector: {kubernetes.io/hostname: node-2}
  containers: [{name: main, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: done
  namespace: default
  labels: {app: done}
  annotations: {sim.orrery.dev/exit-after: 0s, sim.orrery.dev/cpu-usage: '3'}
spec:
  restartPolicy: Never
  nodeSelector: {kubernetes.io/hostname: node-2}
  containers: [{name: main, image: busybox, resources: {requests: {memory: 1Gi}}}]
`;

/** kubectl's table as rows of cells (no cell here holds a space). */
const rows = (text: string): string[][] =>
  text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));

describe.skipIf(!HAS_KUBECTL)('kubectl top', () => {
  let web: string[];

  beforeAll(async () => {
    await writeFile(join(harness.dir, 'top.yaml'), manifests);
    await ok(['apply', '-f', join(harness.dir, 'top.yaml')]);
    await eventually(() => object('Deployment', 'default', 'web')?.status?.readyReplicas === 2 && object('Pod', 'tools', 'solo')?.status?.phase === 'Running');
    await eventually(() => object('Pod', 'default', 'done')?.status?.phase === 'Succeeded');
    web = pods('default', 'web')
      .map((p) => p.metadata.name!)
      .sort();
    expect(web).toHaveLength(2);
  });

  it('prints pods, containers, selections, all namespaces and nodes in its own columns, and the reads append nothing', async () => {
    const before = harness.server.cluster.state.position;

    const top = await ok(['top', 'pod']);
    expect(top).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n/);
    expect(rows(top).slice(1)).toEqual(web.map((name) => [name, '400m', '128Mi']));

    const containers = await ok(['top', 'pod', '-l', 'app=web', '--containers']);
    expect(containers).toMatch(/^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n/);
    expect(rows(containers).slice(1)).toEqual(web.flatMap((name) => [[name, 'app', '300m', '96Mi'], [name, 'log', '100m', '32Mi']]));

    const all = await ok(['top', 'pod', '-A']);
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n/);
    expect(rows(all).slice(1)).toEqual([...web.map((name) => ['default', name, '400m', '128Mi']), ['tools', 'solo', '250m', '200Mi']]);

    expect(rows(await ok(['top', 'pod', 'solo', '-n', 'tools']))).toEqual([['NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['solo', '250m', '200Mi']]);

    const none = await kubectl(['top', 'pod', '-l', 'app=nothing']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No resources found in default namespace.');

    // 800m and 256Mi of node-1's 4 cores and 16Gi; 250m and 200Mi of node-2's (the Succeeded pod adds nothing).
    const nodes = await ok(['top', 'node']);
    expect(nodes).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*\n/);
    expect(rows(nodes).slice(1)).toEqual([
      ['node-1', '800m', '20%', '256Mi', '1%'],
      ['node-2', '250m', '6%', '200Mi', '1%'],
    ]);
    expect(rows(await ok(['top', 'node', 'node-2'])).slice(1)).toEqual([['node-2', '250m', '6%', '200Mi', '1%']]);

    // metrics-server's table, through kubectl get.
    expect(rows(await ok(['get', 'nodemetrics']))).toEqual([
      ['NAME', 'CPU', 'MEMORY', 'WINDOW'],
      ['node-1', '800m', '256Mi', '30s'],
      ['node-2', '250m', '200Mi', '30s'],
    ]);

    // metrics-server's schemas, for kubectl explain.
    const explained = await ok(['explain', 'podmetrics.containers']);
    expect(explained).toMatch(/GROUP:\s+metrics\.k8s\.io\nKIND:\s+PodMetrics\nVERSION:\s+v1beta1/);
    expect(explained).toContain('Metrics for all containers are collected within the same time window.');
    expect(explained).toMatch(/usage\s+<map\[string\]string> -required-\n\s+The memory usage is the memory working set\./);

    expect(await harness.userWritesSince(before)).toEqual([]);
  });

  it('answers a missing pod or node, and a pod that is not Running, with metrics-server’s NotFound', async () => {
    const before = harness.server.cluster.state.position;
    const missing = await kubectl(['top', 'pod', 'missing']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "missing" not found');
    const done = await kubectl(['top', 'pod', 'done']);
    expect(done.code).not.toBe(0);
    expect(done.stderr.trim()).toBe('Error from server (NotFound): podmetrics.metrics.k8s.io "default/done" not found');
    const node = await kubectl(['top', 'node', 'node-9']);
    expect(node.code).not.toBe(0);
    expect(node.stderr.trim()).toBe('Error from server (NotFound): node "node-9" not found');
    expect(await harness.userWritesSince(before)).toEqual([]);
  });

  it('reads the usage off the state as it is: a new load shows on the next read', async () => {
    await ok(['annotate', 'deployment', 'web', '--overwrite', 'sim.orrery.dev/cpu-load=1200m']);
    expect(rows(await ok(['top', 'pod', '-l', 'app=web'])).slice(1)).toEqual(web.map((name) => [name, '600m', '128Mi']));
    expect(rows(await ok(['top', 'node', 'node-1'])).slice(1)).toEqual([['node-1', '1200m', '30%', '256Mi', '1%']]);
  });

  it('shows a node whose kubelet is stopped as <unknown>, and no metrics for its pods', async () => {
    await harness.server.cluster.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-2', reason: 'crash' } } });
    expect(rows(await ok(['top', 'node'])).slice(1)).toEqual([
      ['node-1', '1200m', '30%', '256Mi', '1%'],
      ['node-2', '<unknown>', '<unknown>', '<unknown>', '<unknown>'],
    ]);
    const solo = await kubectl(['top', 'pod', 'solo', '-n', 'tools']);
    expect(solo.stderr.trim()).toBe('Error from server (NotFound): podmetrics.metrics.k8s.io "tools/solo" not found');
  });
});
