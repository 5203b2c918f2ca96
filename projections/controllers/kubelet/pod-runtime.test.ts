import { describe, expect, it } from 'vitest';
import type { OrreryEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { createBackoff } from './backoff.ts';
import { type PodRun, type RuntimeContext, admitPod, advancePod, beginTermination, newPodRun } from './pod-runtime.ts';

const T0 = Date.UTC(2026, 0, 1);

function pod(spec: any, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u-1', annotations }, spec };
}

interface Timed {
  at: number;
  event: OrreryEvent;
}

/** Drives one pod's runtime from timer to timer, as the kubelet controller does. */
function drive(object: KubeObject, until: number, hooks: { at?: number; then?: (run: PodRun, now: number) => void } = {}) {
  const ctx: RuntimeContext = { crashBackoff: createBackoff(), pullBackoff: createBackoff(), allocatePodIP: () => '10.244.0.2' };
  const run = newPodRun(object, 'node-1', '10.0.0.2');
  const log: Timed[] = [];
  let step = admitPod(run, T0, ctx);
  for (const event of step.events) log.push({ at: T0, event });
  let hooked = false;
  for (let i = 0; i < 10_000; i++) {
    let now = step.nextAt;
    if (hooks.at !== undefined && !hooked && (now === undefined || now > T0 + hooks.at)) {
      now = T0 + hooks.at;
      hooked = true;
      hooks.then?.(run, now);
    }
    if (now === undefined || now > T0 + until) break;
    step = advancePod(run, now, ctx);
    for (const event of step.events) log.push({ at: now, event });
    if (step.stopped) break;
  }
  return { run, log, step };
}

const containerEvents = (log: Timed[], name?: string) =>
  log.filter((e): e is { at: number; event: Extract<OrreryEvent, { type: 'ContainerStateChanged' }> } => e.event.type === 'ContainerStateChanged' && (!name || e.event.data.container === name));
const phases = (log: Timed[]) => log.filter((e) => e.event.type === 'PodPhaseChanged').map((e) => [(e.at - T0) / 1000, (e.event as any).data.phase]);

describe('simulated pod runtime', () => {
  it('takes a pod from ContainerCreating to Running after the startup delay, with its IPs', () => {
    const { log } = drive(pod({ containers: [{ name: 'app', image: 'nginx' }] }), 60_000);
    const states = containerEvents(log).map((e) => [(e.at - T0) / 1000, Object.keys(e.event.data.state)[0], e.event.data.ready]);
    expect(states).toEqual([
      [0, 'waiting', false],
      [1, 'running', true],
    ]);
    expect(containerEvents(log)[0]!.event.data.state.waiting?.reason).toBe('ContainerCreating');
    const running = log.find((e) => e.event.type === 'PodPhaseChanged' && e.event.data.phase === 'Running')!.event as any;
    expect(running.data).toMatchObject({ podIP: '10.244.0.2', hostIP: '10.0.0.2' });
    expect(phases(log)).toEqual([
      [0, 'Pending'],
      [1, 'Running'],
    ]);
  });

  it('restarts a crashing container with the kubelet back-off: at once, then 10 s doubling to 5 min', () => {
    const { log } = drive(pod({ containers: [{ name: 'app', image: 'busybox' }] }, { 'sim.orrery.dev/exit-after': '0s', 'sim.orrery.dev/exit-code': '1' }), 20 * 60_000);
    const exits = containerEvents(log).filter((e) => e.event.data.state.terminated);
    const restarts = exits.map((e) => Date.parse(e.event.data.state.terminated!.startedAt!));
    const gaps = restarts.slice(1).map((t, i) => (t - restarts[i]!) / 1000);
    expect(gaps.slice(0, 8)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
    const backoffs = containerEvents(log).filter((e) => e.event.data.state.waiting?.reason === 'CrashLoopBackOff');
    expect(backoffs[1]!.event.data.state.waiting!.message).toBe('back-off 20s restarting failed container=app pod=web_default(u-1)');
    expect(backoffs[0]!.event.data.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(exits.map((e) => e.event.data.restartCount).slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('forgets the back-off once a container has run for more than 10 minutes', () => {
    const { log } = drive(pod({ containers: [{ name: 'app', image: 'busybox' }] }, { 'sim.orrery.dev/exit-after': '11m', 'sim.orrery.dev/exit-code': '2' }), 60 * 60_000);
    const waits = containerEvents(log).filter((e) => e.event.data.state.waiting?.reason === 'CrashLoopBackOff');
    expect(waits).toEqual([]);
    const runs = containerEvents(log).filter((e) => e.event.data.state.running);
    expect(runs.map((e) => (e.at - T0) / 60_000)).toEqual([1 / 60, 11 + 1 / 60, 22 + 1 / 60, 33 + 1 / 60, 44 + 1 / 60, 55 + 1 / 60]);
  });

  it('kills a container whose liveness probe fails, after failureThreshold periods, and restarts it', () => {
    const spec = { containers: [{ name: 'app', image: 'nginx', livenessProbe: { periodSeconds: 5, failureThreshold: 3 } }] };
    const { log } = drive(pod(spec, { 'sim.orrery.dev/liveness-fail-after': '30s' }), 60_000);
    const killed = containerEvents(log).find((e) => e.event.data.state.terminated)!;
    // Started at 1 s; probes at 1+5k s; the check fails from 31 s: failures at 31, 36, 41.
    expect((killed.at - T0) / 1000).toBe(41);
    expect(killed.event.data.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(killed.event.data.reason).toBe('Killing');
    const restarted = containerEvents(log).find((e) => e.event.data.state.running && e.event.data.restartCount === 1)!;
    expect(restarted.at).toBe(killed.at);
  });

  it('OOM-kills a container at oom-after: exit 137, reason OOMKilled, then restarts it', () => {
    const { log } = drive(pod({ containers: [{ name: 'app', image: 'java' }] }, { 'sim.orrery.dev/oom-after': '45s' }), 60_000);
    const killed = containerEvents(log).find((e) => e.event.data.state.terminated)!;
    expect((killed.at - T0) / 1000).toBe(46);
    expect(killed.event.data.state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(containerEvents(log).at(-1)!.event.data).toMatchObject({ restartCount: 1, lastState: { terminated: { reason: 'OOMKilled' } } });
  });

  it('flips readiness with the readiness probe', () => {
    const spec = { containers: [{ name: 'app', image: 'nginx', readinessProbe: { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 } }] };
    const { log } = drive(pod(spec, { 'sim.orrery.dev/readiness-fail-after': '60s' }), 5 * 60_000);
    const readiness = containerEvents(log).map((e) => [(e.at - T0) / 1000, e.event.data.ready]);
    // Running at 1 s unready; first probe at 6 s; the check fails from 61 s: probes 66, 76, 86 fail.
    expect(readiness).toEqual([
      [0, false],
      [1, false],
      [6, true],
      [86, false],
    ]);
    expect(containerEvents(log).at(-1)!.event.data.reason).toBe('Unhealthy');
  });

  it('reports every container of a multi-container pod and runs init containers first, in order', () => {
    const spec = {
      initContainers: [
        { name: 'migrate', image: 'busybox' },
        { name: 'proxy', image: 'envoy', restartPolicy: 'Always' },
        { name: 'warm', image: 'busybox' },
      ],
      containers: [
        { name: 'app', image: 'nginx' },
        { name: 'metrics', image: 'exporter' },
      ],
    };
    const { log, run } = drive(pod(spec, { 'sim.orrery.dev/migrate.exit-after': '5s', 'sim.orrery.dev/app.startup-delay': '3s' }), 60_000);
    const firstRun = (name: string) => (containerEvents(log, name).find((e) => e.event.data.state.running || e.event.data.state.terminated)!.at - T0) / 1000;
    expect(containerEvents(log, 'app')[0]!.event.data.state.waiting?.reason).toBe('PodInitializing');
    expect(firstRun('migrate')).toBe(1);
    expect(containerEvents(log, 'migrate').at(-1)!.event.data.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(firstRun('proxy')).toBe(7);
    expect(firstRun('warm')).toBe(8);
    expect(firstRun('metrics')).toBe(9);
    expect(firstRun('app')).toBe(11);
    expect(phases(log)).toEqual([
      [0, 'Pending'],
      [1, 'Pending'],
      [11, 'Running'],
    ]);
    expect(run.containers.map((c) => [c.name, Object.keys(c.state)[0]])).toEqual([
      ['migrate', 'terminated'],
      ['proxy', 'running'],
      ['warm', 'terminated'],
      ['app', 'running'],
      ['metrics', 'running'],
    ]);
  });

  it('ends a pod by restartPolicy: Never → Failed, OnFailure with exit 0 → Succeeded', () => {
    const failing = drive(pod({ restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox' }] }, { 'sim.orrery.dev/exit-after': '10s', 'sim.orrery.dev/exit-code': '3' }), 60_000);
    expect(phases(failing.log).at(-1)).toEqual([11, 'Failed']);
    const succeeding = drive(pod({ restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox' }, { name: 'side', image: 'x' }] }, { 'sim.orrery.dev/exit-after': '10s', 'sim.orrery.dev/side.exit-after': '20s' }), 60_000);
    expect(phases(succeeding.log)).toEqual([
      [0, 'Pending'],
      [1, 'Running'],
      [21, 'Succeeded'],
    ]);
  });

  it('stops sidecars once the app containers complete, then the pod Succeeds', () => {
    const spec = { restartPolicy: 'Never', initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }], containers: [{ name: 'job', image: 'busybox' }] };
    const { log } = drive(pod(spec, { 'sim.orrery.dev/job.exit-after': '10s' }), 60_000);
    expect(containerEvents(log, 'proxy').at(-1)!.event.data.state.terminated).toBeDefined();
    expect(phases(log).at(-1)).toEqual([12, 'Succeeded']);
  });

  it('fails image pulls with ErrImagePull, then ImagePullBackOff, retrying on the back-off', () => {
    const { log } = drive(pod({ containers: [{ name: 'app', image: 'nginx:bad' }] }), 2 * 60_000);
    const reasons = containerEvents(log).map((e) => [(e.at - T0) / 1000, e.event.data.state.waiting?.reason]);
    expect(reasons).toEqual([
      [0, 'ContainerCreating'],
      [1, 'ErrImagePull'],
      [2, 'ImagePullBackOff'],
      [11, 'ErrImagePull'],
      [12, 'ImagePullBackOff'],
      [31, 'ErrImagePull'],
      [32, 'ImagePullBackOff'],
      [71, 'ErrImagePull'],
      [72, 'ImagePullBackOff'],
    ]);
    expect(containerEvents(log)[2]!.event.data.state.waiting?.message).toBe('Back-off pulling image "nginx:bad"');
    expect(phases(log)).toEqual([[0, 'Pending']]);
  });

  it('stops containers on deletion, within the grace period, then reports the pod stopped', () => {
    const spec = { containers: [{ name: 'app', image: 'nginx' }, { name: 'slow', image: 'x' }] };
    const { log, step } = drive(pod(spec, { 'sim.orrery.dev/slow.shutdown-delay': '45s' }), 5 * 60_000, { at: 20_000, then: (run, now) => beginTermination(run, now, 30) });
    const stops = containerEvents(log).filter((e) => e.event.data.state.terminated).map((e) => [e.event.data.container, (e.at - T0) / 1000, e.event.data.state.terminated!.exitCode]);
    expect(stops).toEqual([
      ['app', 20, 0],
      ['slow', 50, 137],
    ]);
    expect(step.stopped).toBe(true);
    expect(phases(log).at(-1)).toEqual([50, 'Failed']);
  });
});
