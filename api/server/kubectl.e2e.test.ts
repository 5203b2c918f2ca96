import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });
import type { KubeObject } from '../../core/model/object.ts';
import { type RunningServer, runServe } from './serve.ts';
import { userWritesSince } from './testing/kubectl-harness.ts';

/**
 * The real kubectl (v1.32) against a real server: a fresh embedded log in a temp directory, the
 * simulated cluster in server mode (wall clock), and nothing but `--kubeconfig`. Every test
 * asserts on kubectl's output and on the cluster's state or log.
 */
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  if (!existsSync(KUBECTL)) return;
  dir = await mkdtemp(join(tmpdir(), 'orrery-e2e-'));
  await mkdir(join(dir, 'home'));
  server = await runServe({
    port: 0,
    data: join(dir, 'data'),
    kubeconfig: join(dir, 'kubeconfig'),
    nodes: 3,
    quiet: true,
    handleSignals: false,
    controllerOptions: { kubelet: { startupDelayMs: 200 } },
  });
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function kubectl(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL,
      ['--kubeconfig', join(dir, 'kubeconfig'), ...args],
      // A private HOME keeps kubectl's discovery cache out of the user's.
      { env: { PATH: process.env.PATH ?? '', HOME: join(dir, 'home'), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
    );
  });
}

async function ok(args: string[], env?: Record<string, string>): Promise<string> {
  const run = await kubectl(args, env);
  expect(run.code, `kubectl ${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run.stdout;
}

function object(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  return server.cluster.state.objects.get(kind)?.get(namespace ? `${namespace}/${name}` : name);
}

function objects(kind: string, namespace?: string): KubeObject[] {
  return [...(server.cluster.state.objects.get(kind)?.values() ?? [])].filter((o) => !namespace || o.metadata.namespace === namespace);
}

async function eventually<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function logTypes(): Promise<string[]> {
  const types: string[] = [];
  for await (const event of server.cluster.store.readAll(0)) types.push(`${event.type} ${event.stream}`);
  return types;
}

function manifest(image: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;
}

function readyReplicas(namespace: string, name: string): number {
  return Number(object('Deployment', namespace, name)?.status?.readyReplicas ?? 0);
}

// Without a kubectl binary the suite is reported as skipped, never as passed.
describe.skipIf(!existsSync(KUBECTL))('kubectl against orrery', () => {
  it('get nodes: three simulated nodes become Ready', async () => {
    await eventually(() => objects('Node').every((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')));
    const out = await ok(['get', 'nodes']);
    expect(out).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(out.match(/node-\d\s+Ready/g)).toHaveLength(3);
  });

  it('get svc: a new cluster has the default/kubernetes Service, as every cluster does', async () => {
    const table = await ok(['get', 'svc', 'kubernetes']);
    expect(table).toMatch(/^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+/m);
  });

  it('apply -f a multi-document manifest: client-side, server-side, then a changed image', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(file, manifest('nginx:1.27'));
    const first = await ok(['apply', '-f', file]);
    expect(first).toContain('namespace/shop created');
    expect(first).toContain('deployment.apps/web created');
    expect(first).toContain('service/web created');
    expect(object('Deployment', 'shop', 'web')?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('nginx:1.27');
    await eventually(() => readyReplicas('shop', 'web') === 2);

    const again = await ok(['apply', '-f', file]);
    expect(again).toContain('deployment.apps/web unchanged');

    const serverSide = await ok(['apply', '--server-side', '-f', file]);
    expect(serverSide).toContain('deployment.apps/web serverside-applied');
    const managers = (object('Deployment', 'shop', 'web')?.metadata.managedFields as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain('kubectl/Apply');

    await writeFile(file, manifest('nginx:1.28'));
    const changed = await ok(['apply', '-f', file]);
    expect(changed).toContain('deployment.apps/web configured');
    expect(object('Deployment', 'shop', 'web')?.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    const status = await ok(['rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=30s']);
    expect(status).toContain('deployment "web" successfully rolled out');
    const images = objects('Pod', 'shop').filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image);
    expect(images).toEqual(['nginx:1.28', 'nginx:1.28']);
  });

  it('get po, -o wide, -o yaml, --show-labels and -A', async () => {
    const plain = await ok(['get', 'po', '-n', 'shop']);
    expect(plain).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(plain).toMatch(/web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running/);
    const wide = await ok(['get', 'po', '-n', 'shop', '-o', 'wide']);
    expect(wide).toMatch(/IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    expect(wide).toMatch(/10\.244\.\d+\.\d+\s+node-\d/);
    const labels = await ok(['get', 'po', '-n', 'shop', '--show-labels']);
    expect(labels).toMatch(/app=web,pod-template-hash=[a-z0-9]+/);
    const all = await ok(['get', 'po', '-A']);
    expect(all).toMatch(/^NAMESPACE\s+NAME/);
    expect(all).toMatch(/\nshop\s+web-/);
    const yaml = await ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml']);
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).toContain('image: nginx:1.28');
    expect(yaml).toMatch(/resourceVersion: "\d+"/);
    // Field selectors: the kind's field labels select; any other field is the apiserver's 400.
    const running = await ok(['get', 'po', '-n', 'shop', '--field-selector', 'status.phase=Running,spec.nodeName!=nowhere', '-o', 'name']);
    expect(running.trim().split('\n').length).toBeGreaterThan(0);
    expect(running).toMatch(/^pod\/web-/);
    const unsupported = await kubectl(['get', 'po', '-n', 'shop', '--field-selector', 'spec.containers=x']);
    expect(unsupported.code).not.toBe(0);
    expect(unsupported.stderr).toContain('field label not supported: spec.containers');
    const deployments = await kubectl(['get', 'deploy', '-n', 'shop', '--field-selector', 'status.replicas=3']);
    expect(deployments.stderr).toContain('field label not supported: status.replicas');
    expect(await ok(['get', 'rs', '-n', 'shop', '--field-selector', 'status.replicas=0', '-o', 'name'])).not.toContain('error');
    // A boolean the apiserver always reports reads "false" when unset: every node not cordoned.
    expect((await ok(['get', 'nodes', '--field-selector', 'spec.unschedulable=false', '-o', 'name'])).trim().split('\n')).toEqual(['node/node-1', 'node/node-2', 'node/node-3']);
  });

  it('describe deploy shows the Events section projected from the log', async () => {
    const out = await ok(['describe', 'deploy', 'web', '-n', 'shop']);
    expect(out).toMatch(/Name:\s+web/);
    expect(out).toContain('Events:');
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set web-[a-z0-9]+ from 0 to 2/);
    const pod = objects('Pod', 'shop')[0]!;
    const podOut = await ok(['describe', 'pod', pod.metadata.name!, '-n', 'shop']);
    expect(podOut).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned shop\/web-/);
    expect(podOut).toMatch(/Normal\s+Started\s+.*kubelet\s+Started container web/);
    const logs = await ok(['logs', pod.metadata.name!, '-n', 'shop']);
    expect(logs).toContain('container web started (image nginx:1.28');
    expect(JSON.parse(await ok(['get', '--raw', '/version'])).gitVersion).toBe('v1.32.0-orrery');
  });

  it('scale and edit', async () => {
    expect(await ok(['scale', 'deployment/web', '-n', 'shop', '--replicas=3'])).toContain('deployment.apps/web scaled');
    expect(object('Deployment', 'shop', 'web')?.spec.replicas).toBe(3);
    await eventually(() => readyReplicas('shop', 'web') === 3);
    const editor = join(dir, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/replicas: 3/replicas: 2/" "$1"\n');
    await chmod(editor, 0o755);
    expect(await ok(['edit', 'deployment/web', '-n', 'shop'], { KUBE_EDITOR: editor })).toContain('deployment.apps/web edited');
    expect(object('Deployment', 'shop', 'web')?.spec.replicas).toBe(2);
    await eventually(() => objects('Pod', 'shop').filter((p) => !p.metadata.deletionTimestamp).length === 2);
  });

  it('rollout history, restart and undo', async () => {
    const history = await ok(['rollout', 'history', 'deployment/web', '-n', 'shop']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await ok(['rollout', 'restart', 'deployment/web', '-n', 'shop'])).toContain('deployment.apps/web restarted');
    expect(object('Deployment', 'shop', 'web')?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    await ok(['rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=30s']);
    expect(await ok(['rollout', 'undo', 'deployment/web', '-n', 'shop'])).toContain('deployment.apps/web rolled back');
    expect(object('Deployment', 'shop', 'web')?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(await ok(['rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=30s'])).toContain('successfully rolled out');
  });

  it('cordon, drain --ignore-daemonsets (pods re-created elsewhere) and uncordon', async () => {
    const onNode = (node: string) => objects('Pod', 'shop').filter((p) => p.spec.nodeName === node && !p.metadata.deletionTimestamp);
    const target = ['node-1', 'node-2', 'node-3'].find((n) => onNode(n).length > 0)!;
    expect(await ok(['cordon', target])).toContain(`node/${target} cordoned`);
    expect(object('Node', undefined, target)?.spec.unschedulable).toBe(true);
    expect(await ok(['get', 'node', target])).toContain('Ready,SchedulingDisabled');
    const drained = await ok(['drain', target, '--ignore-daemonsets', '--timeout=60s']);
    expect(drained).toContain(`node/${target} drained`);
    expect(drained).toMatch(/pod\/web-[a-z0-9-]+ evicted/);
    expect(onNode(target)).toEqual([]);
    await eventually(() => readyReplicas('shop', 'web') === 2);
    expect(objects('Pod', 'shop').filter((p) => !p.metadata.deletionTimestamp).every((p) => p.spec.nodeName !== target)).toBe(true);
    expect((await logTypes()).some((t) => t.startsWith('PodEvicted Pod/shop/'))).toBe(true);
    expect(await ok(['uncordon', target])).toContain(`node/${target} uncordoned`);
    expect(object('Node', undefined, target)?.spec.unschedulable).toBeUndefined();
  });

  it('delete pod of a Deployment, and a replacement comes up', async () => {
    const victim = objects('Pod', 'shop').find((p) => !p.metadata.deletionTimestamp)!;
    const out = await ok(['delete', 'pod', victim.metadata.name!, '-n', 'shop']);
    expect(out).toContain(`pod "${victim.metadata.name}" deleted`);
    expect(object('Pod', 'shop', victim.metadata.name!)).toBeUndefined();
    await eventually(() => readyReplicas('shop', 'web') === 2 && objects('Pod', 'shop').length === 2);
    expect(objects('Pod', 'shop').map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
  });

  it('get pods -w sees a new pod go from Pending to Running', async () => {
    const existing = new Set(objects('Pod', 'shop').map((p) => p.metadata.name!));
    const watcher = kubectl(['get', 'pods', '-n', 'shop', '-w', '--request-timeout=6s']);
    await new Promise((r) => setTimeout(r, 1000));
    await ok(['scale', 'deployment/web', '-n', 'shop', '--replicas=3']);
    const run = await watcher;
    const newPod = objects('Pod', 'shop').map((p) => p.metadata.name!).find((name) => !existing.has(name))!;
    expect(newPod).toBeTruthy();
    const statuses = run.stdout.split('\n').filter((l) => l.startsWith(newPod)).map((l) => l.split(/\s+/)[2]);
    expect(statuses[0]).toBe('Pending');
    expect(statuses).toContain('Running');
  });

  it('create -f, delete -f, create ns and delete ns', async () => {
    const file = join(dir, 'cm.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  a: "1"\n');
    expect(await ok(['create', '-f', file])).toContain('configmap/settings created');
    const twice = await kubectl(['create', '-f', file]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(object('ConfigMap', 'shop', 'settings')?.data).toEqual({ a: '1' });
    expect(await ok(['delete', '-f', file])).toContain('configmap "settings" deleted');
    expect(object('ConfigMap', 'shop', 'settings')).toBeUndefined();

    expect(await ok(['create', 'ns', 'scratch'])).toContain('namespace/scratch created');
    expect(object('Namespace', undefined, 'scratch')?.status?.phase).toBe('Active');
    const inside = join(dir, 'inside.yaml');
    await writeFile(inside, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inside\n  namespace: scratch\n');
    await ok(['apply', '-f', inside]);
    expect(await ok(['delete', 'ns', 'scratch'])).toContain('namespace "scratch" deleted');
    expect(object('Namespace', undefined, 'scratch')).toBeUndefined();
    expect(object('ConfigMap', 'scratch', 'inside')).toBeUndefined();
    const missing = await kubectl(['get', 'ns', 'scratch']);
    expect(missing.stderr).toContain('Error from server (NotFound): namespaces "scratch" not found');
  });

  it('kubectl create <kind> (typed clients send protobuf bodies)', async () => {
    expect(await ok(['create', 'configmap', 'flags', '-n', 'shop', '--from-literal=mode=fast'])).toContain('configmap/flags created');
    expect(object('ConfigMap', 'shop', 'flags')?.data).toEqual({ mode: 'fast' });
    expect(await ok(['create', 'secret', 'generic', 'creds', '-n', 'shop', '--from-literal=password=hunter2'])).toContain('secret/creds created');
    expect(Buffer.from(String((object('Secret', 'shop', 'creds')?.data as Record<string, string>).password), 'base64').toString()).toBe('hunter2');
    expect(await ok(['create', 'deployment', 'api', '-n', 'shop', '--image=busybox:1.36', '--replicas=1', '--port=8080'])).toContain('deployment.apps/api created');
    const api = object('Deployment', 'shop', 'api')!;
    expect(api.spec.template.spec.containers[0]).toMatchObject({ name: 'busybox', image: 'busybox:1.36', ports: [{ containerPort: 8080, protocol: 'TCP' }] });
    await eventually(() => readyReplicas('shop', 'api') === 1);
    expect(await ok(['delete', 'deployment', 'api', '-n', 'shop'])).toContain('deployment.apps "api" deleted');
    expect(await ok(['create', 'pdb', 'web', '-n', 'shop', '--selector=app=web', '--min-available=0'])).toContain('poddisruptionbudget.policy/web created');
    expect(object('PodDisruptionBudget', 'shop', 'web')?.spec).toEqual({ minAvailable: 0, selector: { matchLabels: { app: 'web' } } });
    expect(await ok(['create', 'quota', 'small', '-n', 'shop', '--hard=pods=50,requests.cpu=4'])).toContain('resourcequota/small created');
    expect(object('ResourceQuota', 'shop', 'small')?.spec).toEqual({ hard: { pods: '50', 'requests.cpu': '4' } });
    expect(await ok(['create', 'serviceaccount', 'robot', '-n', 'shop'])).toContain('serviceaccount/robot created');
    expect(await ok(['create', 'ingress', 'shop', '-n', 'shop', '--class=nginx', '--rule=shop.example.com/*=web:80,tls=shop-cert'])).toContain('ingress.networking.k8s.io/shop created');
    expect(object('Ingress', 'shop', 'shop')?.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-cert' }],
    });
    expect(await ok(['create', 'role', 'reader', '-n', 'shop', '--verb=get,list', '--resource=pods,deployments.apps'])).toContain('role.rbac.authorization.k8s.io/reader created');
    expect(object('Role', 'shop', 'reader')?.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
    ]);
    expect(await ok(['create', 'rolebinding', 'reader', '-n', 'shop', '--role=reader', '--serviceaccount=shop:robot'])).toContain('rolebinding.rbac.authorization.k8s.io/reader created');
    expect(await ok(['create', 'clusterrolebinding', 'robot-view', '--clusterrole=view', '--serviceaccount=shop:robot'])).toContain('created');
    expect(await ok(['get', 'rolebinding', 'reader', '-n', 'shop', '-o', 'wide'])).toMatch(/reader\s+Role\/reader\s+\S+\s+shop\/robot/);
    await ok(['delete', 'pdb/web', 'quota/small', 'serviceaccount/robot', 'ingress/shop', 'role/reader', 'rolebinding/reader', '-n', 'shop']);
    await ok(['delete', 'clusterrolebinding/robot-view']);
    expect(await ok(['create', 'priorityclass', 'urgent', '--value=1000', '--preemption-policy=Never'])).toContain('priorityclass.scheduling.k8s.io/urgent created');
    await ok(['run', 'urgent', '-n', 'shop', '--image=busybox', '--overrides={"spec":{"priorityClassName":"urgent"}}']);
    expect(object('Pod', 'shop', 'urgent')?.spec).toMatchObject({ priorityClassName: 'urgent', priority: 1000, preemptionPolicy: 'Never' });
    expect((await kubectl(['run', 'lost', '-n', 'shop', '--image=busybox', '--overrides={"spec":{"priorityClassName":"nope"}}'])).stderr).toContain(
      'Error from server (Forbidden): pods "lost" is forbidden: no PriorityClass with name nope was found',
    );
    await ok(['delete', 'pod/urgent', '-n', 'shop', '--grace-period=0', '--force']);
    await ok(['delete', 'priorityclass/urgent']);
  });

  it('auth can-i, can-i --list and whoami are answered and append nothing', async () => {
    const before = server.cluster.state.position;
    expect(await ok(['auth', 'can-i', 'create', 'pods'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', 'delete', 'deployments', '-n', 'shop'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', 'get', '/healthz'])).toBe('yes\n');
    expect(await ok(['auth', 'can-i', '--list'])).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(await ok(['auth', 'whoami'])).toMatch(/Username\s+kubectl\n\s*Groups\s+\[system:masters system:authenticated\]/);
    const empty = join(dir, 'empty-review.yaml');
    await writeFile(empty, 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec: {}\n');
    const refused = await kubectl(['create', '--validate=false', '-f', empty]);
    expect(refused.stderr).toContain('The SelfSubjectAccessReview "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified');
    expect((await kubectl(['get', 'selfsubjectaccessreviews'])).stderr).toContain('(MethodNotAllowed)');
    expect(await userWritesSince(server, before)).toEqual([]);
  });

  it('exec and port-forward say why a simulated container cannot be reached', async () => {
    const pod = objects('Pod', 'shop').find((p) => p.status?.phase === 'Running')!;
    const exec = await kubectl(['exec', '-n', 'shop', pod.metadata.name!, '--', 'ls']);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain(`Error from server (BadRequest): pod ${pod.metadata.name} runs in Orrery's simulated cluster: its containers have no process to run a command in`);
    const forward = await kubectl(['port-forward', '-n', 'shop', `pod/${pod.metadata.name}`, '18080:80']);
    expect(forward.stderr).toContain('no process to forward a port to (pods/portforward is not available');
    expect((await kubectl(['exec', '-n', 'shop', 'missing', '--', 'ls'])).stderr).toContain('Error from server (NotFound): pods "missing" not found');
  });

  it('apply -f: a NetworkPolicy is stored; an unknown kind gets kubectl\'s own "no matches for kind" (client-side validation finds /openapi/v2)', async () => {
    const file = join(dir, 'mixed.yaml');
    await writeFile(
      file,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n---\n' +
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n',
    );
    const run = await kubectl(['apply', '-f', file]);
    expect(run.stdout).toContain('networkpolicy.networking.k8s.io/deny-all created');
    expect(run.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
    expect(run.stderr).not.toContain('failed to download openapi');
    expect(object('NetworkPolicy', 'shop', 'deny-all')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const review = join(dir, 'review.yaml');
    await writeFile(review, 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec: {resourceAttributes: {verb: get, resource: pods}}\n');
    expect(await ok(['create', '-f', review, '-o', 'jsonpath={.status.allowed}'])).toBe('true');
  });

  it('explain deployment.spec.strategy', async () => {
    const out = await ok(['explain', 'deployment.spec.strategy']);
    expect(out).toMatch(/GROUP:\s+apps/);
    expect(out).toMatch(/KIND:\s+Deployment/);
    expect(out).toContain('FIELD: strategy <DeploymentStrategy>');
    expect(out).toContain('rollingUpdate');
  });
});
