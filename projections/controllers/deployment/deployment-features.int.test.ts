import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { computeHash } from '../../../core/model/pod-template-hash.ts';
import type { SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { isPodActive } from '../replicaset/pod-availability.ts';
import { appPods, checkEveryEvent } from './testing/replay-check.ts';
import { deploymentManifest, deploymentOf, editDeployment, podsOf, replicaSetsOf, setImage, workloadCluster } from './testing/workload-cluster.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const revision = (o: KubeObject) => o.metadata.annotations?.['deployment.kubernetes.io/revision'];
const condition = (d: KubeObject, type: string) => (d.status?.conditions as any[] | undefined)?.find((c) => c.type === type);
const imageOf = (o: KubeObject) => (o.spec.template ?? o).spec.containers[0].image as string;
const rsWithImage = (c: SimulatedCluster, image: string) => replicaSetsOf(c).find((rs) => imageOf(rs) === image)!;

/** kubectl's DeploymentStatusViewer (pkg/kubectl/polymorphichelpers/rollout_status.go). */
function rolloutStatus(d: KubeObject): string {
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return 'Waiting for deployment spec update to be observed...';
  if (condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded') return `deployment "${d.metadata.name}" exceeded its progress deadline`;
  if ((s.updatedReplicas ?? 0) < d.spec.replicas) return `Waiting for deployment "${d.metadata.name}" rollout to finish: ${s.updatedReplicas ?? 0} out of ${d.spec.replicas} new replicas have been updated...`;
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return `Waiting for deployment "${d.metadata.name}" rollout to finish: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination...`;
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return `Waiting for deployment "${d.metadata.name}" rollout to finish: ${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} updated replicas are available...`;
  return `deployment "${d.metadata.name}" successfully rolled out`;
}

describe('Deployment features', () => {
  it('brings back a deleted pod: a new name, the same owner', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 3, 'web:v1')]);
    await cluster.run(30_000);
    const [rs] = replicaSetsOf(cluster);
    const victim = podsOf(cluster)[1]!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    await cluster.run(30_000);
    const pods = podsOf(cluster).filter(isPodActive);
    expect(pods).toHaveLength(3);
    expect(pods.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    expect(new Set(pods.map((p) => controllerOf(p)?.uid))).toEqual(new Set([rs!.metadata.uid]));
    expect(replicaSetsOf(cluster)).toHaveLength(1);
    expect(rolloutStatus(deploymentOf(cluster, 'web'))).toBe('deployment "web" successfully rolled out');
  });

  it('stamps revisions and replica annotations, and reports rollout progress the way kubectl reads it', async () => {
    cluster = await workloadCluster({ startMs: 5000 });
    await cluster.apply([deploymentManifest('web', 4, 'web:v1')]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', setImage('web:v2'));
    expect(rolloutStatus(deploymentOf(cluster, 'web'))).toMatch(/^Waiting for deployment "web" rollout to finish: \d out of 4 new replicas have been updated\.\.\.$/);
    await cluster.run(120_000);
    const d = deploymentOf(cluster, 'web');
    expect(rolloutStatus(d)).toBe('deployment "web" successfully rolled out');
    expect(d.metadata.generation).toBe(2);
    const v1 = rsWithImage(cluster, 'web:v1');
    const v2 = rsWithImage(cluster, 'web:v2');
    expect(revision(v1)).toBe('1');
    expect(revision(v2)).toBe('2');
    expect(v2.metadata.name).toBe(`web-${v2.metadata.labels!['pod-template-hash']}`);
    expect(v2.spec.selector.matchLabels['pod-template-hash']).toBe(v2.metadata.labels!['pod-template-hash']);
    expect(v2.spec.template.metadata.labels['pod-template-hash']).toBe(v2.metadata.labels!['pod-template-hash']);
    expect(v2.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' });
    expect(d.status).toEqual({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      conditions: expect.arrayContaining([
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${v2.metadata.name}" has successfully progressed.` }),
      ]),
    });
  });

  it('rollout undo brings back the previous ReplicaSet and re-stamps its revision', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 3, 'web:v1')]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', setImage('web:v2'));
    await cluster.run(120_000);
    // What `kubectl rollout undo` sends: the previous revision's template without its pod-template-hash label.
    const previous = replicaSetsOf(cluster).find((rs) => revision(rs) === '1')!;
    await editDeployment(cluster, 'web', (d) => {
      const template = structuredClone(previous.spec.template);
      delete template.metadata.labels['pod-template-hash'];
      d.spec.template = template;
    });
    await cluster.run(120_000);
    expect(replicaSetsOf(cluster)).toHaveLength(2);
    const restored = rsWithImage(cluster, 'web:v1');
    expect(restored.metadata.uid).toBe(previous.metadata.uid);
    expect(revision(restored)).toBe('3');
    expect(restored.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(restored.spec.replicas).toBe(3);
    expect(rsWithImage(cluster, 'web:v2').spec.replicas).toBe(0);
    expect(podsOf(cluster).filter(isPodActive).every((p) => imageOf(p) === 'web:v1')).toBe(true);
    expect(rolloutStatus(deploymentOf(cluster, 'web'))).toBe('deployment "web" successfully rolled out');
  });

  it('rollout restart (a restartedAt template annotation) replaces every pod through a new ReplicaSet', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 3, 'web:v1')]);
    await cluster.run(30_000);
    const before = new Set(podsOf(cluster).map((p) => p.metadata.name));
    await editDeployment(cluster, 'web', (d) => {
      d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:30Z' };
    });
    await cluster.run(120_000);
    const pods = podsOf(cluster).filter(isPodActive);
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(before.has(pod.metadata.name)).toBe(false);
      expect(pod.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe('2026-01-01T00:00:30Z');
    }
    expect(replicaSetsOf(cluster).map(revision).sort()).toEqual(['1', '2']);
  });

  it('Recreate never runs old and new pods at the same time', async () => {
    cluster = await workloadCluster({ stopMs: 5000 });
    await cluster.apply([deploymentManifest('web', 4, 'web:v1', { strategy: { type: 'Recreate' } })]);
    await cluster.run(30_000);
    const updateAt = cluster.state.position + 1;
    await editDeployment(cluster, 'web', setImage('web:v2'));
    await cluster.run(120_000);
    let sawNone = false;
    await checkEveryEvent(cluster, updateAt, (state, event) => {
      const images = new Set(appPods(state, 'web').map(imageOf));
      if (images.size > 1) throw new Error(`old and new pods together at position ${event.position}`);
      if (images.size === 0) sawNone = true;
    });
    expect(sawNone).toBe(true);
    expect(podsOf(cluster).filter(isPodActive).map(imageOf)).toEqual(['web:v2', 'web:v2', 'web:v2', 'web:v2']);
    expect(rolloutStatus(deploymentOf(cluster, 'web'))).toBe('deployment "web" successfully rolled out');
  });

  it('paused holds a rollout (scaling still applies) until resumed', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 3, 'web:v1')]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', (d) => {
      d.spec.paused = true;
    });
    await editDeployment(cluster, 'web', setImage('web:v2'));
    await cluster.run(60_000);
    expect(replicaSetsOf(cluster)).toHaveLength(1);
    expect(podsOf(cluster).every((p) => imageOf(p) === 'web:v1')).toBe(true);
    expect(condition(deploymentOf(cluster, 'web'), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });

    await editDeployment(cluster, 'web', (d) => {
      d.spec.replicas = 5;
    });
    await cluster.run(60_000);
    expect(podsOf(cluster).filter(isPodActive)).toHaveLength(5);
    expect(replicaSetsOf(cluster)).toHaveLength(1);

    await editDeployment(cluster, 'web', (d) => {
      d.spec.paused = false;
    });
    await cluster.run(180_000);
    expect(podsOf(cluster).filter(isPodActive).map(imageOf)).toEqual(Array(5).fill('web:v2'));
    expect(condition(deploymentOf(cluster, 'web'), 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('reports ProgressDeadlineExceeded when the new pods never become ready', async () => {
    cluster = await workloadCluster({ ready: (pod) => imageOf(pod) !== 'web:broken' });
    await cluster.apply([deploymentManifest('web', 3, 'web:v1', { progressDeadlineSeconds: 60 })]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', setImage('web:broken'));
    await cluster.run(30_000);
    const stuck = deploymentOf(cluster, 'web');
    const newRS = rsWithImage(cluster, 'web:broken');
    expect(condition(stuck, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newRS.metadata.name}" is progressing.` });
    await cluster.run(60_000);
    const d = deploymentOf(cluster, 'web');
    expect(condition(d, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` });
    expect(rolloutStatus(d)).toBe('deployment "web" exceeded its progress deadline');
    // maxUnavailable 25% of 3 rounds down to 0: the old pods all stay.
    expect(rsWithImage(cluster, 'web:v1').spec.replicas).toBe(3);
    expect(condition(d, 'Available')).toMatchObject({ status: 'True' });
  });

  it('revisionHistoryLimit keeps only the newest old ReplicaSets', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 2, 'web:v1', { revisionHistoryLimit: 2 })]);
    await cluster.run(30_000);
    for (const version of ['v2', 'v3', 'v4', 'v5']) {
      await editDeployment(cluster, 'web', setImage(`web:${version}`));
      await cluster.run(60_000);
    }
    const remaining = replicaSetsOf(cluster).map((rs) => [imageOf(rs), revision(rs), rs.spec.replicas]);
    expect(remaining.sort()).toEqual([
      ['web:v3', '3', 0],
      ['web:v4', '4', 0],
      ['web:v5', '5', 2],
    ]);
  });

  it('scales old and new ReplicaSets proportionally when replicas change mid-rollout', async () => {
    cluster = await workloadCluster({ ready: (pod) => imageOf(pod) !== 'web:v2' });
    await cluster.apply([deploymentManifest('web', 10, 'web:v1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } })]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', setImage('web:v2'));
    await cluster.run(60_000);
    expect([rsWithImage(cluster, 'web:v1').spec.replicas, rsWithImage(cluster, 'web:v2').spec.replicas]).toEqual([8, 5]);
    await editDeployment(cluster, 'web', (d) => {
      d.spec.replicas = 20;
    });
    await cluster.run(60_000);
    const v1 = rsWithImage(cluster, 'web:v1');
    const v2 = rsWithImage(cluster, 'web:v2');
    // 13 → 23 (20 + maxSurge 3): old 8·23/13 ≈ 14, new 5·23/13 ≈ 9.
    expect([v1.spec.replicas, v2.spec.replicas]).toEqual([14, 9]);
    for (const rs of [v1, v2]) expect(rs.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '20', 'deployment.kubernetes.io/max-replicas': '23' });
  });

  it('copies Deployment annotations such as change-cause to the new ReplicaSet (kubectl rollout history reads them)', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 2, 'web:v1')]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', (d) => {
      d.metadata.annotations = { ...d.metadata.annotations, 'kubernetes.io/change-cause': 'kubectl set image deployment/web app=web:v2' };
      setImage('web:v2')(d);
    });
    await cluster.run(60_000);
    expect(rsWithImage(cluster, 'web:v2').metadata.annotations?.['kubernetes.io/change-cause']).toBe('kubectl set image deployment/web app=web:v2');
  });

  it('resolves a ReplicaSet name collision by bumping collisionCount', async () => {
    cluster = await workloadCluster();
    // Paused and without ReplicaSets, the Deployment creates none: time to take its ReplicaSet's name.
    await cluster.apply([deploymentManifest('web', 2, 'web:v1', { paused: true })]);
    const template = deploymentOf(cluster, 'web').spec.template;
    const squatter = `web-${computeHash(template)}`;
    await cluster.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: squatter, namespace: 'default' },
        spec: { replicas: 0, selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'app', image: 'other' }] } } },
      },
    ]);
    await editDeployment(cluster, 'web', (d) => {
      d.spec.paused = false;
    });
    await cluster.run(60_000);
    const d = deploymentOf(cluster, 'web');
    expect(d.status.collisionCount).toBe(1);
    const owned = replicaSetsOf(cluster).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    expect(owned).toHaveLength(1);
    expect(owned[0]!.metadata.name).toBe(`web-${computeHash(template, 1)}`);
    expect(owned[0]!.status.availableReplicas).toBe(2);
  });

  it('does not time out while paused; the deadline starts again on resume', async () => {
    cluster = await workloadCluster({ ready: (pod) => imageOf(pod) !== 'web:broken' });
    await cluster.apply([deploymentManifest('web', 3, 'web:v1', { progressDeadlineSeconds: 60 })]);
    await cluster.run(30_000);
    await editDeployment(cluster, 'web', setImage('web:broken'));
    await cluster.run(10_000);
    await editDeployment(cluster, 'web', (d) => {
      d.spec.paused = true;
    });
    await cluster.run(5 * 60_000);
    expect(condition(deploymentOf(cluster, 'web'), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    await editDeployment(cluster, 'web', (d) => {
      d.spec.paused = false;
    });
    await cluster.run(30_000);
    expect(condition(deploymentOf(cluster, 'web'), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' });
    await cluster.run(60_000);
    expect(condition(deploymentOf(cluster, 'web'), 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });
});
