import type { KubeObject } from '../../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../../state/queries.ts';
import { createReplicaSetController } from '../../replicaset/replicaset-controller.ts';
import { createDeploymentController } from '../deployment-controller.ts';
import { type FakeKubeletOptions, createFakeKubelet } from './fake-kubelet.ts';

/**
 * A simulated cluster running only the Deployment and ReplicaSet controllers over a fake kubelet,
 * in the built-in order (Deployment first) unless `replicaSetFirst`.
 */
export async function workloadCluster(options: FakeKubeletOptions & { seed?: number; replicaSetFirst?: boolean } = {}): Promise<SimulatedCluster> {
  const workload = [createDeploymentController(), createReplicaSetController()];
  if (options.replicaSetFirst) workload.reverse();
  return createSimulatedCluster({ seed: options.seed ?? 1, nodes: 2, controllers: [...workload, createFakeKubelet(options)] });
}

export function deploymentManifest(name: string, replicas: number, image: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...spec,
    },
  };
}

export const deploymentOf = (cluster: SimulatedCluster, name: string): KubeObject => getObject(cluster.state, 'Deployment', 'default', name)!;
export const replicaSetsOf = (cluster: SimulatedCluster): KubeObject[] => listObjects(cluster.state, 'ReplicaSet', 'default');
export const podsOf = (cluster: SimulatedCluster): KubeObject[] => listObjects(cluster.state, 'Pod', 'default');

/** Changes a Deployment as a user would: read, modify, update with its resourceVersion. */
export async function editDeployment(cluster: SimulatedCluster, name: string, edit: (d: KubeObject) => void): Promise<void> {
  const d = structuredClone(deploymentOf(cluster, name));
  delete d.status;
  edit(d);
  await cluster.act({ type: 'update', object: d });
}

export const setImage = (image: string) => (d: KubeObject) => {
  d.spec.template.spec.containers[0].image = image;
};
