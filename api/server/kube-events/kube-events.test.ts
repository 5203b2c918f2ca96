import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createSimulatedCluster, type SimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createApiServer } from '../create-api-server.ts';

let cluster: SimulatedCluster;
let app: FastifyInstance;

beforeEach(async () => {
  cluster = await createSimulatedCluster({ nodes: 2 });
  app = createApiServer({ cluster });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await cluster.close();
});

describe('core/v1 Events projected from the log', () => {
  it('tells the story of a Deployment the way kubectl describe shows it', async () => {
    const labels = { app: 'web' };
    await cluster.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
      },
    ]);
    await cluster.run(30_000);
    const deployment = cluster.state.objects.get('Deployment')!.get('default/web')!;
    const forDeployment = (
      await app.inject(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DDeployment,involvedObject.name%3Dweb,involvedObject.uid%3D${deployment.metadata.uid}`)
    ).json();
    expect(forDeployment.items.map((e: any) => `${e.type} ${e.reason} ${e.source.component}`)).toEqual(['Normal ScalingReplicaSet deployment-controller']);
    expect(forDeployment.items[0].message).toMatch(/^Scaled up replica set web-[a-z0-9]+ from 0 to 2$/);

    const all = (await app.inject('/api/v1/namespaces/default/events')).json().items as any[];
    const pod = [...cluster.state.objects.get('Pod')!.values()][0]!;
    const forPod = all.filter((e) => e.involvedObject.uid === pod.metadata.uid).map((e) => e.reason);
    expect(forPod).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    const scheduled = all.find((e) => e.involvedObject.uid === pod.metadata.uid && e.reason === 'Scheduled');
    expect(scheduled.message).toBe(`Successfully assigned default/${pod.metadata.name} to ${pod.spec.nodeName}`);
    const started = all.find((e) => e.involvedObject.uid === pod.metadata.uid && e.reason === 'Started');
    expect(started).toMatchObject({ source: { component: 'kubelet', host: pod.spec.nodeName }, involvedObject: { fieldPath: 'spec.containers{web}' } });
    const replicaSetEvents = all.filter((e) => e.involvedObject.kind === 'ReplicaSet').map((e) => e.reason);
    expect(replicaSetEvents).toEqual(['SuccessfulCreate', 'SuccessfulCreate']);
    // Each Event's resourceVersion is the position of the log event it stands for.
    expect(Number(scheduled.metadata.resourceVersion)).toBeLessThanOrEqual(cluster.state.position);
  });
});
