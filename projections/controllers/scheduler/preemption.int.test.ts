import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { eventFactsOf } from '../../../api/server/kube-events/events-from-log.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { listObjects } from '../../state/queries.ts';
import { rebuildState } from '../../state/reducer.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const priorityClass = (name: string, value: number, preemptionPolicy?: string): KubeObject => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  ...(preemptionPolicy ? { preemptionPolicy } : {}),
});

const pod = (name: string, cpu: string, priorityClassName: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { priorityClassName, containers: [{ name: 'app', image: 'app:1', resources: { requests: { cpu } } }] },
});

/** Pods of the `low` PriorityClass, 1 cpu each, optionally held to one node. */
const lowDeployment = (name: string, replicas: number, node?: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { priorityClassName: 'low', ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}), containers: [{ name: 'work', image: 'work:1', resources: { requests: { cpu: '1' } } }] },
    },
  },
});

const batch = lowDeployment('batch', 8);

const live = (name: string) => cluster!.state.objects.get('Pod')!.get(`default/${name}`)!;
const condition = (p: KubeObject, type: string) => (p.status?.conditions as Array<{ type: string; status: string; reason?: string; message?: string }> | undefined)?.find((c) => c.type === type);

async function log(): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of cluster!.store.readAll(0)) events.push(event);
  return events;
}

describe('preemption', () => {
  it('a pod of higher priority that fits nowhere evicts the fewest lower-priority pods on one node and runs there', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2 });
    await cluster.apply([priorityClass('low', 100), priorityClass('high', 1000)]);
    await cluster.apply([batch]);
    await cluster.run(60_000);
    expect(listObjects(cluster.state, 'Pod', 'default').filter((p) => p.status?.phase === 'Running')).toHaveLength(8);

    await cluster.apply([pod('critical', '2', 'high')]);
    await cluster.run(5_000);
    const nominated = live('critical').status!.nominatedNodeName as string;
    expect(nominated).toMatch(/^node-[12]$/);
    const events = await log();
    const evictions = events.filter((e): e is Extract<StoredEvent, { type: 'PodEvicted' }> => e.type === 'PodEvicted');
    // 2 cpu on a full 4-cpu node: two of its four 1-cpu pods, and nothing elsewhere.
    expect(evictions).toHaveLength(2);
    for (const eviction of evictions) {
      expect(eviction.data).toMatchObject({ reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod', preemptor: live('critical').metadata.uid });
      expect(eviction.metadata.actor).toBe('scheduler');
    }
    const victims = evictions.map((e) => e.data.ref.name);
    const victimPods = victims.map((name) => events.find((e) => e.type === 'PodScheduled' && e.data.ref.name === name)!);
    expect(victimPods.every((e) => e.type === 'PodScheduled' && e.data.nodeName === nominated)).toBe(true);
    // While they terminate the pod waits, and says why, as kube-scheduler does.
    const failures = events.filter((e) => e.type === 'PodUnschedulable' && e.data.ref.name === 'critical').map((e) => (e.data as { decision: { message: string } }).decision.message);
    expect(failures[0]).toBe('0/2 nodes are available: 2 Insufficient cpu.');

    await cluster.run(60_000);
    expect(live('critical').spec!.nodeName).toBe(nominated);
    expect(live('critical').status!.phase).toBe('Running');
    for (const name of victims) expect(cluster.state.objects.get('Pod')!.get(`default/${name}`)).toBeUndefined();
    // The Deployment's replacements are of the same low priority: they preempt nobody and wait.
    const waiting = listObjects(cluster.state, 'Pod', 'default').filter((p) => !p.spec?.nodeName);
    expect(waiting).toHaveLength(2);
    for (const p of waiting) expect(condition(p, 'PodScheduled')?.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
  });

  it('says why it could not preempt: no victims big enough, or preemptionPolicy Never', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2 });
    await cluster.apply([priorityClass('low', 100), priorityClass('high', 1000), priorityClass('polite', 1000, 'Never')]);
    await cluster.apply([batch]);
    await cluster.run(60_000);
    await cluster.apply([pod('giant', '6', 'high'), pod('polite', '2', 'polite')]);
    await cluster.run(5_000);
    expect(condition(live('giant'), 'PodScheduled')?.message).toBe('0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    expect(condition(live('polite'), 'PodScheduled')?.message).toBe('0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    expect((await log()).some((e) => e.type === 'PodEvicted')).toBe(false);
  });

  it('a victim gets the Preempted Event kubectl describe shows', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([priorityClass('low', 100), priorityClass('high', 1000)]);
    await cluster.apply([{ ...batch, spec: { ...batch.spec, replicas: 4 } }]);
    await cluster.run(60_000);
    const before = cluster.state.position;
    await cluster.apply([pod('critical', '1', 'high')]);
    await cluster.run(1_000);
    const all = await log();
    const eviction = all.find((e): e is Extract<StoredEvent, { type: 'PodEvicted' }> => e.type === 'PodEvicted' && e.position > before)!;
    // The victim as the state held it right after the eviction (it is gone by now).
    const then = rebuildState(all.slice(0, eviction.position));
    const victim = then.objects.get('Pod')!.get(`default/${eviction.data.ref.name}`)!;
    expect(victim.status!.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }));
    const facts = eventFactsOf(eviction, [{ position: eviction.position, kind: 'Pod', key: `default/${victim.metadata.name}`, before: victim, after: victim, event: eviction }], then);
    expect(facts).toContainEqual(expect.objectContaining({ type: 'Normal', reason: 'Preempted', message: `Preempted by pod ${live('critical').metadata.uid} on node node-1`, component: 'default-scheduler' }));
  });

  const budget = (app: string, minAvailable: number): KubeObject => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: app, namespace: 'default' },
    spec: { minAvailable, selector: { matchLabels: { app } } },
  });
  const evicted = async () => (await log()).filter((e): e is Extract<StoredEvent, { type: 'PodEvicted' }> => e.type === 'PodEvicted').map((e) => e.data.ref.name);

  it('on a node, evicts the pods no PodDisruptionBudget protects before those one does, even when those are newer', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([priorityClass('low', 100), priorityClass('high', 1000)]);
    await cluster.apply([lowDeployment('batch', 2)]);
    await cluster.run(30_000);
    // Started later, so less important by start time alone: only the budget makes them the ones to keep.
    await cluster.apply([lowDeployment('guarded', 2), budget('guarded', 2)]);
    await cluster.run(30_000);
    expect(cluster.state.objects.get('PodDisruptionBudget')!.get('default/guarded')!.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2 });
    await cluster.apply([pod('critical', '2', 'high')]);
    await cluster.run(5_000);
    const victims = await evicted();
    expect(victims).toHaveLength(2);
    for (const name of victims) expect(name).toMatch(/^batch-/);
  });

  it('picks the node where no PodDisruptionBudget is violated over the first node by name', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 2 });
    await cluster.apply([priorityClass('low', 100), priorityClass('high', 1000)]);
    await cluster.apply([lowDeployment('guarded', 4, 'node-1'), budget('guarded', 4), lowDeployment('batch', 4, 'node-2')]);
    await cluster.run(60_000);
    await cluster.apply([pod('critical', '2', 'high')]);
    await cluster.run(5_000);
    expect(live('critical').status!.nominatedNodeName).toBe('node-2');
    const victims = await evicted();
    expect(victims).toHaveLength(2);
    for (const name of victims) expect(name).toMatch(/^batch-/);
  });

  it('the room held for a nominated pod is not held against a pod of higher priority, which preempts as if it were free', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([priorityClass('low', 100), priorityClass('mid', 500), priorityClass('high', 1000)]);
    // Victims that take 20 s to stop: the room mid is nominated for is still theirs when high arrives.
    const slow = lowDeployment('batch', 4);
    slow.spec!.template.metadata.annotations = { 'sim.orrery.dev/shutdown-delay': '20s' };
    await cluster.apply([slow]);
    await cluster.run(30_000);
    await cluster.apply([pod('mid', '2', 'mid')]);
    await cluster.run(5_000);
    expect(live('mid').status!.nominatedNodeName).toBe('node-1');
    expect(await evicted()).toHaveLength(2);
    await cluster.apply([pod('high', '2', 'high')]);
    await cluster.run(1_000);
    // kube-scheduler counts only nominated pods of at least high's priority: mid's room is free to
    // high, so evicting the two running batch pods makes room (held against mid, it would not).
    expect(live('high').status!.nominatedNodeName).toBe('node-1');
    expect(await evicted()).toHaveLength(4);
    await cluster.run(60_000);
    expect(live('high').status!.phase).toBe('Running');
    expect(live('mid').status!.phase).toBe('Running');
  });
});
