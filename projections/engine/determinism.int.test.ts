import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import type { InMemoryStore } from '../../core/store/in-memory-store.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { createSimulatedCluster } from './simulated-cluster.ts';

function deployment(name: string, replicas: number, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
    },
  };
}

/** A short history with scheduling, a rollout, a pod deletion and a node failure. */
async function recordHistory(seed: number): Promise<string> {
  const store: InMemoryStore = createInMemoryStore();
  const cluster = await createSimulatedCluster({ seed, nodes: 4, store });
  await cluster.apply([deployment('web', 5, 'nginx:1.25'), deployment('api', 3, 'api:1')]);
  await cluster.run(30_000);
  const web = cluster.state.objects.get('Deployment')!.get('default/web')!;
  await cluster.act({ type: 'update', object: { ...web, spec: { ...web.spec, template: { ...web.spec.template, spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } } } });
  await cluster.run(60_000);
  const pod = [...cluster.state.objects.get('Pod')!.values()][0]!;
  await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: pod.metadata.name! } });
  await cluster.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-2', reason: 'crash' } } });
  await cluster.run(10 * 60_000);
  const log = JSON.stringify(store.events());
  await cluster.close();
  return log;
}

describe('determinism', () => {
  it('the same starting log, seed and inputs produce a byte-identical log', async () => {
    const first = await recordHistory(7);
    const second = await recordHistory(7);
    expect(first.length).toBeGreaterThan(10_000);
    expect(second).toBe(first);
  });

  it('the seed matters: another seed gives another log', async () => {
    const a = await recordHistory(7);
    const b = await recordHistory(8);
    expect(b).not.toBe(a);
  });
});
