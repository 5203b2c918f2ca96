import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { getObject } from '../../projections/state/queries.ts';

export function deployment(name: string, replicas: number, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
    },
  };
}

/**
 * A real recording for tests: three simulated nodes and the built-in controllers; a user creates
 * Deployment web (3 replicas, nginx:1), rolls it out to nginx:2, then scales it down to 2.
 */
export async function recordWebRollout(): Promise<StoredEvent[]> {
  const cluster = await createSimulatedCluster({ nodes: 3, seed: 7 });
  await cluster.apply([deployment('web', 3, 'nginx:1')]);
  await cluster.run(30_000);
  const v1 = getObject(cluster.state, 'Deployment', 'default', 'web')!;
  await cluster.act({ type: 'update', object: { ...v1, spec: { ...v1.spec, template: deployment('web', 3, 'nginx:2').spec.template } } });
  await cluster.run(60_000);
  const v2 = getObject(cluster.state, 'Deployment', 'default', 'web')!;
  await cluster.act({ type: 'update', object: { ...v2, spec: { ...v2.spec, replicas: 2 } } });
  await cluster.run(30_000);
  const events: StoredEvent[] = [];
  for await (const event of cluster.store.readAll(0)) events.push(event);
  await cluster.close();
  return events;
}
