import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { type KubectlHarness, eventually, startKubectlHarness } from '../../../api/server/testing/kubectl-harness.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/** The real kubectl (v1.32, see KUBECTL in the harness) driving DaemonSets, StatefulSets, Jobs and CronJobs against a real server. */
let harness: KubectlHarness;

beforeAll(async () => {
  harness = await startKubectlHarness('workloads');
});

afterAll(async () => {
  await harness?.close();
});

const kubectl = (args: string[]) => harness.kubectl(args);
const ok = (args: string[]) => harness.ok(args);

const object = (kind: string, name: string, namespace = 'default'): KubeObject | undefined => harness.server.cluster.state.objects.get(kind)?.get(`${namespace}/${name}`);
const objects = (kind: string, namespace = 'default'): KubeObject[] => [...(harness.server.cluster.state.objects.get(kind)?.values() ?? [])].filter((o) => o.metadata.namespace === namespace);



const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent:1}]
`;

const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: default}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {annotations: {sim.orrery.dev/exit-after: 1s}}
        spec:
          restartPolicy: Never
          containers: [{name: backup, image: busybox}]
`;

async function applyText(text: string): Promise<void> {
  const file = join(harness.dir, `manifest-${Math.abs(text.length)}.yaml`);
  await writeFile(file, text);
  await ok(['apply', '-f', file]);
}

const ready = (pod: KubeObject) => (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

describe('kubectl and workloads', () => {
  it('get ds shows DESIRED/CURRENT/READY per node; drain --ignore-daemonsets evicts the others and leaves the daemon pod', async () => {
    await applyText(daemonSet);
    await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=4']);
    await eventually(() => objects('Pod').filter((p) => ready(p)).length === 6);
    const table = await ok(['get', 'ds', 'agent']);
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
    expect(table).toMatch(/^agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+/m);

    const refused = await kubectl(['drain', 'node-1']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)');

    const out = await ok(['drain', 'node-1', '--ignore-daemonsets']);
    expect(out).toContain('node/node-1 drained');
    await eventually(() => objects('Pod').filter((p) => p.spec?.nodeName === 'node-1' && p.metadata.labels?.app === 'web').length === 0);
    const onNode1 = objects('Pod').filter((p) => p.spec?.nodeName === 'node-1' && !p.metadata.deletionTimestamp);
    expect(onNode1.map((p) => p.metadata.labels?.app)).toEqual(['agent']);
    expect(object('DaemonSet', 'agent')?.status?.numberReady).toBe(2);
    await ok(['uncordon', 'node-1']);
  });

  it('create job --from=cronjob/x runs the CronJob\'s template now; get cronjobs and jobs show it', async () => {
    await applyText(cronJob);
    const created = await ok(['create', 'job', 'backup-manual', '--from=cronjob/backup']);
    expect(created.trim()).toBe('job.batch/backup-manual created');
    const job = object('Job', 'backup-manual')!;
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'backup' });
    await eventually(() => object('Job', 'backup-manual')?.status?.succeeded === 1);
    const jobs = await ok(['get', 'jobs', 'backup-manual']);
    expect(jobs).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    expect(jobs).toMatch(/^backup-manual\s+Complete\s+1\/1\s+/m);
    const cronJobs = await ok(['get', 'cronjobs', 'backup']);
    expect(cronJobs).toMatch(/^backup\s+0 3 \* \* \*\s+<none>\s+False\s+0\s+<none>\s+/m);
    const wait = await ok(['wait', '--for=condition=complete', 'job/backup-manual', '--timeout=20s']);
    expect(wait.trim()).toBe('job.batch/backup-manual condition met');
  });

  it('create job with a command and no sim annotation runs it to completion, as its task ends (kubectl wait sees Complete)', async () => {
    expect((await ok(['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'])).trim()).toBe('job.batch/once created');
    const wait = await ok(['wait', '--for=condition=complete', 'job/once', '--timeout=30s']);
    expect(wait.trim()).toBe('job.batch/once condition met');
    const pod = objects('Pod').find((p) => p.metadata.labels?.['job-name'] === 'once')!;
    expect(pod.status?.phase).toBe('Succeeded');
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('a StatefulSet comes up in order: get sts shows READY 2/2, pods db-0 and db-1, rollout status completes', async () => {
    await ok(['create', 'service', 'clusterip', 'db', '--clusterip=None']);
    await applyText(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
`);
    await eventually(() => object('StatefulSet', 'db')?.status?.readyReplicas === 2);
    expect(await ok(['get', 'sts', 'db'])).toMatch(/^db\s+2\/2\s+/m);
    expect(await ok(['get', 'pods', '-l', 'app=db', '-o', 'name'])).toBe('pod/db-0\npod/db-1\n');
    const rollout = await ok(['rollout', 'status', 'statefulset/db', '--timeout=20s']);
    expect(rollout).toContain('partitioned roll out complete: 2 new pods have been updated...');
  });
});
