import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { deploymentManifest, deploymentOf, podsOf, replicaSetsOf, workloadCluster } from './testing/workload-cluster.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('Deployment controller (simulated cluster)', () => {
  it('creates one ReplicaSet and the pods, and reports a complete rollout', async () => {
    cluster = await workloadCluster();
    await cluster.apply([deploymentManifest('web', 3, 'nginx:1.25')]);
    await cluster.run(30_000);
    const [rs] = replicaSetsOf(cluster);
    expect(replicaSetsOf(cluster)).toHaveLength(1);
    const pods = podsOf(cluster);
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^${rs!.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(controllerOf(pod)).toMatchObject({ kind: 'ReplicaSet', name: rs!.metadata.name, uid: rs!.metadata.uid, controller: true, blockOwnerDeletion: true });
    }
    const d = deploymentOf(cluster, 'web');
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs!.metadata.name}" has successfully progressed.` });
    expect(d.status.conditions.find((c: any) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  });
});
