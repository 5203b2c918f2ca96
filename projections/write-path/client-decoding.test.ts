import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { createClusterState } from '../state/reducer.ts';
import { createWritePath } from './write-path.ts';

async function cluster() {
  const store = createInMemoryStore();
  const state = createClusterState();
  const writePath = createWritePath({ store, state });
  await writePath.execute({ type: 'record', actor: 'orrery', event: { type: 'ClusterInitialized', data: { seed: 1, startTime: Date.UTC(2026, 0, 1), mode: 'simulation' } } });
  return { store, state, writePath };
}

function deployment(template: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template },
  };
}

describe('objects as Kubernetes decodes them', () => {
  it('treats a null field as absent, as kubectl rollout undo relies on (creationTimestamp: null in the template)', async () => {
    const { writePath } = await cluster();
    const plain = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
    const created = (await writePath.execute({ type: 'create', actor: 'user:kubectl', object: deployment(plain) })).object!;
    const withNull = { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', command: null }] } };
    const result = await writePath.execute({ type: 'update', actor: 'user:kubectl', object: { ...deployment(withNull), metadata: created.metadata } });
    expect(result.events).toEqual([]);
    expect(result.object!.spec.template).toEqual(created.spec.template);
    expect(JSON.stringify(result.object)).not.toContain('null');
  });

  it("keeps the annotations a Deployment status write carries (the controller's revision stamp), without a new generation", async () => {
    const { writePath, state } = await cluster();
    const created = (await writePath.execute({ type: 'create', actor: 'user:kubectl', object: deployment({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }) })).object!;
    const statusWrite = { ...created, metadata: { ...created.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } }, status: { observedGeneration: 1, replicas: 1 } };
    const result = await writePath.execute({ type: 'update', subresource: 'status', actor: 'deployment-controller', object: statusWrite });
    expect(result.events.map((e) => e.type)).toEqual(['ObjectReplaced']);
    const stored = state.objects.get('Deployment')!.get('default/web')!;
    expect(stored.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    expect(stored.metadata.generation).toBe(created.metadata.generation);
    expect(stored.status).toMatchObject({ observedGeneration: 1, replicas: 1 });
    expect(stored.spec).toEqual(created.spec);
  });

  it('decodes a status write as a whole object would be: null status and metadata fields are absent, its spec is ignored', async () => {
    const { writePath, state } = await cluster();
    const created = (await writePath.execute({ type: 'create', actor: 'user:kubectl', object: deployment({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }) })).object!;
    const statusWrite = {
      ...created,
      metadata: { ...created.metadata, labels: null, annotations: null },
      spec: { ...created.spec, replicas: 5, paused: null },
      status: { observedGeneration: 1, replicas: 1, conditions: null, collisionCount: undefined, readyReplicas: null },
    };
    const result = await writePath.execute({ type: 'update', subresource: 'status', actor: 'deployment-controller', object: statusWrite as unknown as KubeObject });
    expect(result.events.map((e) => e.type)).toEqual(['ObjectStatusReplaced']);
    expect((result.events[0]!.data as { status: unknown }).status).toEqual({ observedGeneration: 1, replicas: 1 });
    const stored = state.objects.get('Deployment')!.get('default/web')!;
    expect(JSON.stringify(stored.status)).toBe('{"observedGeneration":1,"replicas":1}');
    expect(stored.spec).toEqual(created.spec);
    const again = await writePath.execute({ type: 'update', subresource: 'status', actor: 'deployment-controller', object: { ...statusWrite, metadata: { ...statusWrite.metadata, resourceVersion: undefined }, status: null } as unknown as KubeObject });
    expect(again.events.map((e) => e.type)).toEqual(['ObjectStatusReplaced']);
    expect(state.objects.get('Deployment')!.get('default/web')!.status).toBeUndefined();
  });
});
