import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { listObjects } from '../../projections/state/queries.ts';
import { DEFAULT_START_TIME as result0 } from '../../projections/engine/simulated-cluster.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario, TimelineEntry } from './scenario.ts';

const MIN = 60_000;

function deployment(name: string, replicas: number, extra: { probes?: boolean; labels?: Record<string, string> } = {}): KubeObject {
  const probe = { httpGet: { path: '/healthz', port: 8080 } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...extra.labels } },
        spec: { containers: [{ name: 'app', image: 'app:v1', ...(extra.probes ? { livenessProbe: probe, readinessProbe: probe } : {}) }] },
      },
    },
  };
}

function scenario(timeline: TimelineEntry[], extra: Partial<Scenario> = {}): Scenario {
  return { seed: 5, cluster: { nodes: [{ name: 'node-1' }, { name: 'node-2' }] }, manifests: [deployment('web', 2, { probes: true })], timeline, duration: 5 * MIN, ...extra };
}

async function run(s: Scenario) {
  const result = await runScenario(s);
  await result.cluster.close();
  return result;
}

const pods = (r: Awaited<ReturnType<typeof run>>) => listObjects(r.cluster.state, 'Pod', 'default').filter((p) => !p.metadata.deletionTimestamp);
const app = (pod: KubeObject) => (pod.status?.containerStatuses as any[]).find((c) => c.name === 'app');

describe('container faults', () => {
  it('container-crash crashes each running container once; it restarts and stays up', async () => {
    const r = await run(scenario([{ at: MIN, action: 'container-crash', deployment: 'web', exitCode: 3 }], { expect: ['at 4m: pods ready=2'] }));
    expect(r.expectations[0]).toMatchObject({ passed: true });
    for (const pod of pods(r)) {
      expect(app(pod)).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 3, reason: 'Error' } } });
      expect(pod.metadata.annotations ?? {}).toEqual({});
    }
  });

  it('container-crash-loop puts the pods in CrashLoopBackOff, new pods too, until clear-faults', async () => {
    const looping = await run(scenario([{ at: MIN, action: 'container-crash-loop', deployment: 'web' }, { at: 2 * MIN, action: 'scale', deployment: 'web', replicas: 3 }]));
    expect(pods(looping)).toHaveLength(3);
    for (const pod of pods(looping)) {
      expect(app(pod).restartCount).toBeGreaterThanOrEqual(2);
      expect(app(pod).lastState.terminated).toMatchObject({ exitCode: 1 });
    }
    const cleared = await run(
      scenario([{ at: MIN, action: 'container-crash-loop', deployment: 'web' }, { at: 2 * MIN, action: 'clear-faults', deployment: 'web' }], {
        duration: 10 * MIN,
        expect: ['eventually within 30s after 1m: pods ready=0', 'eventually within 6m after 2m: deployment/web available=2'],
      }),
    );
    expect(cleared.expectations.map((e) => e.passed)).toEqual([true, true]);
  });

  it('liveness-fail on one pod gets its container killed (137) and restarted by the kubelet', async () => {
    const first = (await run(scenario([]))).cluster.state;
    const name = listObjects(first, 'Pod', 'default')[0]!.metadata.name!;
    // Probes every 10 s from the start (1 s); three failures from the fault on: 1m1s, 1m11s, 1m21s.
    const r = await run(scenario([{ at: MIN, action: 'liveness-fail', pod: name, container: 'app' }], { expect: ['at 1m20s: pods restarts=0', 'at 1m22s: pods restarts=1'] }));
    expect(r.expectations.map((e) => e.passed)).toEqual([true, true]);
    const hit = pods(r).find((p) => p.metadata.name === name)!;
    expect(app(hit).restartCount).toBeGreaterThanOrEqual(1);
    expect(app(hit).lastState.terminated).toMatchObject({ exitCode: 137 });
    expect(pods(r).filter((p) => p.metadata.name !== name).map((p) => app(p).restartCount)).toEqual([0]);
  });

  it('readiness-fail takes running pods out of the ready count without restarting them', async () => {
    const r = await run(scenario([{ at: MIN, action: 'readiness-fail', deployment: 'web' }], { expect: ['at 50s: deployment/web available=2', 'eventually within 1m after 1m: deployment/web ready=0'] }));
    expect(r.expectations.map((e) => e.passed)).toEqual([true, true]);
    expect(pods(r).map((p) => app(p).restartCount)).toEqual([0, 0]);
  });

  it('image-pull-fail leaves running pods alone and keeps new ones in ImagePullBackOff', async () => {
    const r = await run(
      scenario([{ at: MIN, action: 'image-pull-fail', deployment: 'web' }, { at: 2 * MIN, action: 'scale', deployment: 'web', replicas: 3 }], {
        expect: ['always: pods running<=2', 'at 4m: pods pending=1'],
      }),
    );
    expect(r.expectations.map((e) => e.passed)).toEqual([true, true]);
    const pending = pods(r).find((p) => p.status?.phase === 'Pending')!;
    expect(app(pending).state.waiting.reason).toMatch(/ImagePullBackOff|ErrImagePull/);
  });

  it('slow-start delays the start of pods created afterwards', async () => {
    const r = await run(
      scenario([{ at: MIN, action: 'slow-start', deployment: 'web', delay: '90s' }, { at: 2 * MIN, action: 'scale', deployment: 'web', replicas: 3 }], {
        expect: ['at 3m: pods running=2', 'at 3m40s: pods running=3'],
      }),
    );
    expect(r.expectations.map((e) => e.passed)).toEqual([true, true]);
  });

  it('a fault on something that is not there is rejected with a message', async () => {
    const r = await run(scenario([{ at: MIN, action: 'liveness-fail', pod: 'nope' }, { at: MIN, action: 'readiness-fail', deployment: 'web', container: 'sidecar' }]));
    expect(r.outcomes.slice(-2).map((o) => o.outcome.rejected)).toEqual(['pod default/nope not found', 'the pods of deployment web have no container sidecar']);
  });
});

describe('node pressure and load', () => {
  it('node-pressure taints the node so new pods go elsewhere; node-pressure-clear lifts it', async () => {
    const r = await run(
      scenario(
        [
          { at: MIN, action: 'node-pressure', node: 'node-1', condition: 'MemoryPressure' },
          { at: 2 * MIN, action: 'scale', deployment: 'web', replicas: 6 },
          { at: 3 * MIN, action: 'node-pressure-clear', node: 'node-1' },
        ],
        { manifests: [deployment('web', 0)], expect: ['at 2m30s: pods running=6', 'at 2m30s: node/node-1 ready=true'] },
      ),
    );
    expect(r.expectations.map((e) => e.passed)).toEqual([true, true]);
    expect(pods(r).every((p) => p.spec!.nodeName === 'node-2')).toBe(true);
    const node1 = r.cluster.state.objects.get('Node')!.get('node-1')!;
    expect(node1.status!.conditions.find((c: { type: string }) => c.type === 'MemoryPressure')).toMatchObject({ status: 'False', reason: 'KubeletHasSufficientMemory' });
    expect(node1.spec?.taints ?? []).toEqual([]);
  });

  it('load records the total CPU demand on the Deployment', async () => {
    const r = await run(scenario([{ at: MIN, action: 'load', deployment: 'web', cpu: '1500m' }], { duration: 2 * MIN }));
    expect(r.cluster.state.objects.get('Deployment')!.get('default/web')!.metadata.annotations?.['sim.orrery.dev/cpu-load']).toBe('1500m');
  });
});

describe('drain', () => {
  it('evicts through the PodDisruptionBudget: one pod at a time, the next once a replacement is ready', async () => {
    const budget: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 3, selector: { matchLabels: { app: 'web' } } } };
    let fewestReady = Infinity;
    const evictions: number[] = [];
    const result = await runScenario(
      {
        seed: 2,
        cluster: { nodes: [{ name: 'node-1' }, { name: 'node-2' }] },
        manifests: [deployment('web', 4, { probes: true }), budget],
        timeline: [{ at: MIN, action: 'drain', node: 'node-1' }],
        duration: 4 * MIN,
        expect: ['eventually within 2m after 1m: pods in default matching app=web ready=4'],
      },
      {
        onEvent: (event, state) => {
          if (event.type === 'PodEvicted') evictions.push(event.metadata.time);
          if (state.time >= result0 + MIN) {
            const ready = listObjects(state, 'Pod', 'default').filter((p) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
            fewestReady = Math.min(fewestReady, ready);
          }
        },
      },
    );
    await result.cluster.close();
    expect(result.expectations[0]).toMatchObject({ passed: true });
    expect(pods(result).every((p) => p.spec!.nodeName === 'node-2')).toBe(true);
    expect(fewestReady).toBe(3);
    expect(evictions).toHaveLength(2);
    expect(evictions[1]! - evictions[0]!).toBeGreaterThan(0);
  });
});

describe('determinism', () => {
  it('a scenario with standing faults and a blocked drain records the same log twice', async () => {
    const budget: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } };
    const s = scenario(
      [
        { at: MIN, action: 'container-crash-loop', deployment: 'web', after: '20s' },
        { at: MIN, action: 'image-pull-fail', pod: 'nope-ignored' },
        { at: 90_000, action: 'drain', node: 'node-1' },
        { at: 2 * MIN, action: 'clear-faults', deployment: 'web' },
        { at: 150_000, action: 'node-pressure', node: 'node-2', condition: 'DiskPressure' },
      ],
      { manifests: [deployment('web', 4, { probes: true }), budget], duration: 4 * MIN },
    );
    const logs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const events: string[] = [];
      const r = await runScenario(s, { onEvent: (event) => events.push(JSON.stringify({ ...event, metadata: { ...event.metadata, id: undefined } })) });
      await r.cluster.close();
      logs.push(events);
    }
    expect(logs[0]!.length).toBeGreaterThan(100);
    expect(logs[1]).toEqual(logs[0]);
  });
});


describe('node taints', () => {
  it('taint NoExecute evicts the node\'s pods (they come back on the other node); untaint removes only that key and effect', async () => {
    const evictions: string[] = [];
    const result = await runScenario(
      scenario([
        { at: MIN, action: 'taint', node: 'node-1', key: 'example.com/maintenance', value: 'now', effect: 'NoExecute' },
        { at: MIN, action: 'taint', node: 'node-1', key: 'example.com/maintenance', effect: 'NoSchedule' },
        { at: 2 * MIN, action: 'untaint', node: 'node-1', key: 'example.com/maintenance', effect: 'NoExecute' },
      ]),
      { onEvent: (event) => void (event.type === 'PodEvicted' && evictions.push(event.data.reason)) },
    );
    await result.cluster.close();
    const node = result.cluster.state.objects.get('Node')!.get('node-1')!;
    expect(node.spec!.taints).toEqual([{ key: 'example.com/maintenance', effect: 'NoSchedule' }]);
    const running = pods(result);
    expect(running).toHaveLength(2);
    expect(running.map((pod) => pod.spec!.nodeName)).toEqual(['node-2', 'node-2']);
    expect(evictions).toContain('DeletionByTaintManager');
  });
});
