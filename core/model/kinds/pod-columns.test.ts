import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object.ts';
import { podColumns, summarizePod } from './pod-columns.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function pod(status: any, spec: any = { containers: [{ name: 'app', image: 'nginx' }] }, metadata: any = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', creationTimestamp: '2026-01-01T00:04:19Z', ...metadata }, spec, status };
}

const running = { running: { startedAt: '2026-01-01T00:05:00Z' } };

describe('pod STATUS / READY / RESTARTS (kubectl printPod)', () => {
  it('shows Pending, ContainerCreating and Running', () => {
    expect(summarizePod(pod({ phase: 'Pending' })).status).toBe('Pending');
    expect(summarizePod(pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] })).status).toBe('ContainerCreating');
    const ready = summarizePod(pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] }));
    expect(ready).toEqual({ ready: '1/1', status: 'Running', restarts: 0 });
  });

  it('shows the waiting reason of a crashing or unpullable container', () => {
    const crash = pod({
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:09:30Z' } } }],
    });
    expect(summarizePod(crash)).toMatchObject({ ready: '0/1', status: 'CrashLoopBackOff', restarts: 4 });
    const restarts = podColumns.find((c) => c.name === 'Restarts')!;
    expect(restarts.cell(crash, { now: NOW })).toBe('4 (30s ago)');
    expect(summarizePod(pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] })).status).toBe('ImagePullBackOff');
  });

  it('shows Completed, Error and exit codes of terminated containers', () => {
    expect(summarizePod(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })).status).toBe('Completed');
    expect(summarizePod(pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] })).status).toBe('Error');
    expect(summarizePod(pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }] })).status).toBe('ExitCode:137');
    expect(summarizePod(pod({ phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, signal: 9 } } }] })).status).toBe('Signal:9');
  });

  it('shows Running rather than Completed while another container still runs', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: running },
        { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    };
    expect(summarizePod(pod(status, spec))).toMatchObject({ ready: '1/2', status: 'NotReady' });
    status.conditions[0]!.status = 'True';
    expect(summarizePod(pod(status, spec)).status).toBe('Running');
  });

  it('shows init container progress and failures', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'app' }] };
    const done = { name: 'i1', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    expect(summarizePod(pod({ phase: 'Pending', initContainerStatuses: [done, { name: 'i2', ready: false, restartCount: 0, state: running }] }, spec)).status).toBe('Init:1/2');
    expect(summarizePod(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, spec))).toMatchObject({
      status: 'Init:CrashLoopBackOff',
      restarts: 2,
    });
    expect(summarizePod(pod({ phase: 'Failed', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }] }, spec)).status).toBe('Init:ExitCode:3');
    expect(summarizePod(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }, spec)).status).toBe('Init:0/2');
  });

  it('counts a started sidecar (restartable init container) as a container', () => {
    const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] };
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
    };
    expect(summarizePod(pod(status, spec))).toMatchObject({ ready: '2/2', status: 'Running', restarts: 1 });
  });

  it('shows Evicted, Terminating, Unknown for lost nodes, and SchedulingGated', () => {
    expect(summarizePod(pod({ phase: 'Failed', reason: 'Evicted' })).status).toBe('Evicted');
    expect(summarizePod(pod({ phase: 'Running' }, undefined, { deletionTimestamp: '2026-01-01T00:09:00Z' })).status).toBe('Terminating');
    expect(summarizePod(pod({ phase: 'Succeeded' }, undefined, { deletionTimestamp: '2026-01-01T00:09:00Z' })).status).toBe('Succeeded');
    expect(summarizePod(pod({ phase: 'Running', reason: 'NodeLost' }, undefined, { deletionTimestamp: '2026-01-01T00:09:00Z' })).status).toBe('Unknown');
    expect(summarizePod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })).status).toBe('SchedulingGated');
  });

  it('fills the default and wide columns in order', () => {
    const p = pod({ phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] }, { nodeName: 'node-1', containers: [{ name: 'app' }] });
    expect(podColumns.map((c) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(podColumns.map((c) => c.priority)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(podColumns.map((c) => c.cell(p, { now: NOW }))).toEqual(['p', '1/1', 'Running', '0', '5m41s', '10.244.0.5', 'node-1', '<none>', '<none>']);
  });
});
