import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { rebuildState } from '../../state/reducer.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function job(name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = { 'sim.orrery.dev/exit-after': '10s' }, restartPolicy = 'Never'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: { metadata: { annotations }, spec: { restartPolicy, containers: [{ name: 'work', image: 'busybox' }] } }, ...spec },
  };
}

const jobOf = (c: SimulatedCluster, name: string): any => getObject(c.state, 'Job', 'default', name);
const podsOf = (c: SimulatedCluster, name: string) => listObjects(c.state, 'Pod', 'default').filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
const conditionTypes = (j: any) => (j.status.conditions ?? []).filter((c: any) => c.status === 'True').map((c: any) => c.type);

async function events(c: SimulatedCluster) {
  const all = [];
  for await (const event of c.store.readAll(0)) all.push(event);
  return all;
}

describe('Job controller (simulated cluster)', () => {
  it('runs completions pods, parallelism at a time, and completes', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 2 });
    await cluster.apply([job('batch', { completions: 5, parallelism: 2 })]);
    // Track the most pods ever active at once.
    let most = 0;
    for (let t = 0; t < 120; t++) {
      await cluster.run(1_000);
      most = Math.max(most, podsOf(cluster, 'batch').filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending').length);
    }
    expect(most).toBe(2);
    const j = jobOf(cluster, 'batch');
    expect(j.status.succeeded).toBe(5);
    expect(j.status.active).toBeUndefined();
    expect(conditionTypes(j)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(j.status.conditions[1]).toMatchObject({ reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(j.status.completionTime).toBeDefined();
    expect(Date.parse(j.status.completionTime)).toBeGreaterThan(Date.parse(j.status.startTime));
    expect(podsOf(cluster, 'batch')).toHaveLength(5);
    const pod = podsOf(cluster, 'batch')[0]!;
    expect(pod.metadata.name).toMatch(/^batch-[a-z0-9]{5}$/);
    expect(pod.metadata.labels).toMatchObject({ 'job-name': 'batch', 'controller-uid': j.metadata.uid, 'batch.kubernetes.io/controller-uid': j.metadata.uid });
    expect(rebuildState(await events(cluster))).toEqual(cluster.state);
  });

  it('fails with BackoffLimitExceeded after backoffLimit+1 failed pods, holding new pods back 10s, 20s, … after failures', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 2 });
    await cluster.apply([job('crash', { backoffLimit: 2 }, { 'sim.orrery.dev/exit-code': '1' })]);
    await cluster.run(300_000);
    const j = jobOf(cluster, 'crash');
    expect(j.status.failed).toBe(3);
    expect(conditionTypes(j)).toEqual(['FailureTarget', 'Failed']);
    expect(j.status.conditions[1]).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    const created = (await events(cluster)).filter((e) => e.type === 'ObjectCreated' && e.data.object.kind === 'Pod').map((e) => e.metadata.time);
    expect(created).toHaveLength(3);
    expect(created[1]! - created[0]!).toBeGreaterThanOrEqual(10_000);
    expect(created[2]! - created[1]!).toBeGreaterThanOrEqual(20_000);
  });

  it('activeDeadlineSeconds fails the Job with DeadlineExceeded and removes its running pods', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 2 });
    await cluster.apply([job('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 2 }, { 'sim.orrery.dev/exit-after': '10m' })]);
    await cluster.run(60_000);
    const j = jobOf(cluster, 'slow');
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(Date.parse(j.status.conditions.find((c: any) => c.type === 'Failed').lastTransitionTime) - Date.parse(j.status.startTime)).toBe(30_000);
    expect(podsOf(cluster, 'slow').filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running')).toHaveLength(0);
  });

  it('ttlSecondsAfterFinished deletes the finished Job and, through the garbage collector, its pods', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([job('once', { ttlSecondsAfterFinished: 60 })]);
    await cluster.run(30_000);
    expect(conditionTypes(jobOf(cluster, 'once'))).toContain('Complete');
    await cluster.run(60_000);
    expect(jobOf(cluster, 'once')).toBeUndefined();
    expect(podsOf(cluster, 'once')).toHaveLength(0);
    const deletion = (await events(cluster)).find((e) => (e.type === 'ObjectDeletionRequested' || e.type === 'ObjectRemoved') && e.data.ref.kind === 'Job');
    expect(deletion?.metadata.actor).toBe('ttl-after-finished-controller');
  });

  it('Indexed completion: one succeeded pod per index, completedIndexes', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 2 });
    await cluster.apply([job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' })]);
    await cluster.run(60_000);
    const j = jobOf(cluster, 'idx');
    expect(j.status.completedIndexes).toBe('0-2');
    expect(conditionTypes(j)).toContain('Complete');
    const indexes = podsOf(cluster, 'idx').map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    expect(indexes).toEqual(['0', '1', '2']);
    expect(podsOf(cluster, 'idx').map((p) => p.metadata.name!.replace(/-[a-z0-9]{5}$/, '')).sort()).toEqual(['idx-0', 'idx-1', 'idx-2']);
  });

  it('a suspended Job has no pods until resumed', async () => {
    cluster = await createSimulatedCluster({ seed: 6, nodes: 1 });
    await cluster.apply([job('later', { suspend: true })]);
    await cluster.run(20_000);
    expect(podsOf(cluster, 'later')).toHaveLength(0);
    expect(jobOf(cluster, 'later').status.conditions).toMatchObject([{ type: 'Suspended', status: 'True', reason: 'JobSuspended' }]);
    const resumed = structuredClone(jobOf(cluster, 'later'));
    resumed.spec.suspend = false;
    await cluster.act({ type: 'update', object: resumed });
    await cluster.run(30_000);
    const j = jobOf(cluster, 'later');
    expect(j.status.succeeded).toBe(1);
    expect(j.status.conditions.find((c: any) => c.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
  });
});
