import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { isPodActive } from '../replicaset/pod-availability.ts';
import { activePods, appPods, availablePods, checkEveryEvent, replicaSetStatusMismatches } from './testing/replay-check.ts';
import { deploymentManifest, deploymentOf, editDeployment, podsOf, setImage } from './testing/workload-cluster.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('Deployment and ReplicaSet controllers with the built-in scheduler and kubelet', () => {
  it('rolls out, rolls over within its bounds at every event, and heals a deleted pod', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 3 });
    const manifest = deploymentManifest('web', 6, 'web:v1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } } });
    manifest.spec.template.spec.containers[0].resources = { requests: { cpu: '100m', memory: '64Mi' } };
    await cluster.apply([manifest]);
    await cluster.run(60_000);
    expect(deploymentOf(cluster, 'web').status).toMatchObject({ replicas: 6, availableReplicas: 6, updatedReplicas: 6 });
    expect(podsOf(cluster).every((pod) => pod.spec.nodeName && pod.status.phase === 'Running')).toBe(true);

    const updateAt = cluster.state.position + 1;
    await editDeployment(cluster, 'web', setImage('web:v2'));
    await cluster.run(5 * 60_000);
    await checkEveryEvent(cluster, updateAt, (state, event) => {
      const active = activePods(state, 'web').length;
      const available = availablePods(state, 'web').length;
      if (active > 8) throw new Error(`${active} pods at ${event.position}`);
      if (available < 5) throw new Error(`${available} available at ${event.position}`);
    });
    const d = deploymentOf(cluster, 'web');
    expect(d.status).toMatchObject({ observedGeneration: 2, replicas: 6, updatedReplicas: 6, availableReplicas: 6 });
    expect(podsOf(cluster).filter(isPodActive).every((pod) => pod.spec.containers[0].image === 'web:v2')).toBe(true);

    const victim = podsOf(cluster).filter(isPodActive)[0]!;
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    await cluster.run(2 * 60_000);
    const healed = podsOf(cluster).filter(isPodActive);
    expect(healed).toHaveLength(6);
    expect(healed.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    expect(deploymentOf(cluster, 'web').status.availableReplicas).toBe(6);
    expect(replicaSetStatusMismatches(cluster.state)).toEqual([]);
  });

  it('Recreate waits for the old pods to finish terminating before starting new ones', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 2 });
    await cluster.apply([deploymentManifest('db', 2, 'db:v1', { strategy: { type: 'Recreate' } })]);
    await cluster.run(60_000);
    expect(deploymentOf(cluster, 'db').status.availableReplicas).toBe(2);
    const updateAt = cluster.state.position + 1;
    await editDeployment(cluster, 'db', setImage('db:v2'));
    await cluster.run(3 * 60_000);
    await checkEveryEvent(cluster, updateAt, (state, event) => {
      const images = new Set(appPods(state, 'db').map((pod) => pod.spec.containers[0].image));
      if (images.size > 1) throw new Error(`old and new pods together at ${event.position}`);
    });
    expect(podsOf(cluster).map((pod) => pod.spec.containers[0].image)).toEqual(['db:v2', 'db:v2']);
    expect(deploymentOf(cluster, 'db').status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
  });
});
