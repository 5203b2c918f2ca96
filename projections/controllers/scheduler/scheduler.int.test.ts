import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { testPod } from './test-objects.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function podNamed(name: string): KubeObject {
  return cluster!.state.objects.get('Pod')!.get(`default/${name}`)!;
}

async function eventsOfType(type: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of cluster!.store.readAll(0)) if (event.type === type) events.push(event);
  return events;
}

describe('the scheduler with the built-in controllers and simulated kubelets', () => {
  it('A pod too big for any node stays Pending with the exact message', async () => {
    cluster = await createSimulatedCluster({ seed: 5, nodes: 3 });
    await cluster.run(30_000);
    await cluster.apply([testPod('huge', { cpu: '64', memory: '1Gi' }), testPod('fits', { cpu: '500m', memory: '256Mi' })]);
    await cluster.run(5 * 60_000);

    const huge = podNamed('huge');
    expect(huge.status.phase).toBe('Pending');
    expect(huge.spec.nodeName).toBeUndefined();
    expect(huge.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }),
    );
    // Heartbeats and the other pod's progress do not make the scheduler say it again.
    const unschedulable = (await eventsOfType('PodUnschedulable')).filter((e) => (e.data as { ref: { name: string } }).ref.name === 'huge');
    expect(unschedulable).toHaveLength(1);

    const fits = podNamed('fits');
    expect(fits.status.phase).toBe('Running');
    expect(fits.spec.nodeName).toMatch(/^node-\d$/);
  });

  it('spreads a Deployment across nodes and every pod reaches Running', async () => {
    cluster = await createSimulatedCluster({ seed: 9, nodes: 4 });
    await cluster.run(30_000);
    await cluster.apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          replicas: 8,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
          },
        },
      },
    ]);
    await cluster.run(2 * 60_000);
    const pods = [...cluster.state.objects.get('Pod')!.values()].filter((p) => p.metadata.labels?.app === 'web');
    expect(pods).toHaveLength(8);
    expect(pods.every((p) => p.status.phase === 'Running')).toBe(true);
    const perNode = new Map<string, number>();
    for (const pod of pods) perNode.set(pod.spec.nodeName, (perNode.get(pod.spec.nodeName) ?? 0) + 1);
    expect([...perNode.values()].sort()).toEqual([2, 2, 2, 2]);
  });
});
