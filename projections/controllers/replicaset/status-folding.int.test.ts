import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { defaultControllers } from '../../engine/default-controllers.ts';
import { replicaSetStatusMismatches } from '../deployment/testing/replay-check.ts';
import { getObject, listObjects } from '../../state/queries.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function replicaSet(name: string, replicas: number, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: 'app', image: 'nginx', readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 1 } }] },
      },
    },
  };
}

async function readyCountsWritten(foldStatusWrites: boolean, rs: KubeObject, seconds: number): Promise<{ ready: number[]; events: StoredEvent[] }> {
  cluster = await createSimulatedCluster({ seed: 7, nodes: 3, controllers: defaultControllers({ replicaSet: { foldStatusWrites } }) });
  await cluster.apply([rs]);
  await cluster.run(seconds * 1000);
  const events: StoredEvent[] = [];
  for await (const event of cluster.store.readAll(0)) events.push(event);
  const ready = events
    .filter((e) => e.type === 'ObjectStatusReplaced' && e.data.ref.kind === 'ReplicaSet')
    .map((e) => ((e.data as { status: { readyReplicas?: number } }).status.readyReplicas ?? 0));
  expect(replicaSetStatusMismatches(cluster.state)).toEqual([]);
  await cluster.close();
  cluster = undefined;
  return { ready, events };
}

describe('ReplicaSet status writes folded per burst', () => {
  it('pods turning ready together are written once, when the engine has handed out every event (per pod when not folded)', async () => {
    const folded = await readyCountsWritten(true, replicaSet('web', 10), 20);
    const perPod = await readyCountsWritten(false, replicaSet('web', 10), 20);
    // The ten pods start in the same instant: one write takes readyReplicas from 0 to 10.
    expect(folded.ready.filter((r) => r > 0)).toEqual([10]);
    expect(perPod.ready.filter((r) => r > 0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The folded write comes after every pod event of that instant, and names a pod event of it as its cause.
    const write = folded.events.find((e) => e.type === 'ObjectStatusReplaced' && (e.data as { status: { readyReplicas?: number } }).status.readyReplicas === 10)!;
    const cause = folded.events[write.metadata.causationId! - 1]!;
    expect(cause.stream).toMatch(/^Pod\/default\/web-/);
    expect(cause.metadata.time).toBe(write.metadata.time);
    const podEventsThen = folded.events.filter((e) => e.stream.startsWith('Pod/') && e.metadata.time === write.metadata.time);
    expect(podEventsThen.length).toBeGreaterThanOrEqual(10);
    expect(podEventsThen.every((e) => e.position < write.position)).toBe(true);
  });

  it('pods turning unready are written at once, one write per pod', async () => {
    const failing = { 'sim.orrery.dev/readiness-fail-after': '5s' };
    const folded = await readyCountsWritten(true, replicaSet('web', 4, failing), 30);
    const perPod = await readyCountsWritten(false, replicaSet('web', 4, failing), 30);
    const downward = (ready: number[]) => ready.slice(ready.indexOf(Math.max(...ready)));
    expect(downward(folded.ready)).toEqual([4, 3, 2, 1, 0]);
    expect(downward(perPod.ready)).toEqual([4, 3, 2, 1, 0]);
  });
});

type Step = { kind: 'scale'; replicas: number } | { kind: 'image'; tag: number } | { kind: 'delete'; index: number } | { kind: 'wait'; seconds: number };

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ kind: fc.constant('image' as const), tag: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('delete' as const), index: fc.nat(10) }),
    fc.record({ kind: fc.constant('wait' as const), seconds: fc.integer({ min: 0, max: 3 }) }),
  ),
  { maxLength: 6 },
);

/** Runs a Deployment through the steps; returns each ReplicaSet's final status (by name) and how many ReplicaSet status writes the log holds. */
async function history(foldStatusWrites: boolean, plan: Step[]): Promise<{ statuses: Record<string, unknown>; writes: number; mismatches: string[] }> {
  const c = await createSimulatedCluster({ seed: 3, nodes: 3, controllers: defaultControllers({ replicaSet: { foldStatusWrites } }) });
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1' }] } } },
  };
  await c.apply([deployment]);
  await c.run(2_000);
  for (const step of plan) {
    if (step.kind === 'wait') await c.run(step.seconds * 1000);
    else if (step.kind === 'delete') {
      const pods = listObjects(c.state, 'Pod', 'default').filter((p) => !p.metadata.deletionTimestamp);
      const victim = pods[step.index % Math.max(1, pods.length)];
      if (victim) await c.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: victim.metadata.name! } });
    } else {
      const current = structuredClone(getObject(c.state, 'Deployment', 'default', 'web')!);
      delete current.status;
      if (step.kind === 'scale') current.spec.replicas = step.replicas;
      else current.spec.template.spec.containers[0].image = `nginx:${step.tag}`;
      await c.act({ type: 'update', object: current });
    }
  }
  await c.run(120_000);
  const statuses: Record<string, unknown> = {};
  for (const rs of listObjects(c.state, 'ReplicaSet', 'default')) statuses[rs.metadata.name!] = rs.status;
  let writes = 0;
  for await (const event of c.store.readAll(0)) if (event.type === 'ObjectStatusReplaced' && event.data.ref.kind === 'ReplicaSet') writes++;
  const mismatches = replicaSetStatusMismatches(c.state);
  await c.close();
  return { statuses, writes, mismatches };
}

describe('ReplicaSet status writes folded per burst, over generated histories', () => {
  it('end in the same ReplicaSet statuses as writing at every pod, matching a recount, with no more writes', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        const folded = await history(true, plan);
        const perPod = await history(false, plan);
        expect(folded.mismatches).toEqual([]);
        expect(perPod.mismatches).toEqual([]);
        expect(folded.statuses).toEqual(perPod.statuses);
        expect(folded.writes).toBeLessThanOrEqual(perPod.writes);
      }),
      { seed: 20261123, numRuns: 10 },
    );
  });
});
