import type { KubeObject } from '../../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../../state/queries.ts';
import { createReplicaSetController } from '../../replicaset/replicaset-controller.ts';
import { createDeploymentController } from '../deployment-controller.ts';
import { type FakeKubeletOptions, createFakeKubelet } from './fake-kubelet.ts';

/** A simulated cluster running only the ReplicaSet and Deployment controllers over a fake kubelet. */
export async function workloadCluster(options: FakeKubeletOptions & { seed?: number } = {}): Promise<SimulatedCluster> {
  return createSimulatedCluster({
    seed: options.seed ?? 1,
    nodes: 2,
    controllers: [createReplicaSetController(), createDeploymentController(), createFakeKubelet(options)],
  });
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
