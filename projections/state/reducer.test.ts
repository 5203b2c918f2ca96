import { describe, expect, it } from 'vitest';
import { applyEvent, createClusterState, rebuildState } from './reducer.ts';
import { getObject, listObjects, objectByUid, objectsWithLabel, ownedBy, podsOnNode } from './queries.ts';
import { T0, history, node, pod } from './test-events.ts';

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name });

describe('cluster-state reducer', () => {
  it('ClusterInitialized sets seed, mode and time; every event advances position and time', () => {
    const state = rebuildState(
      history(
        { type: 'ClusterInitialized', data: { seed: 42, startTime: T0, mode: 'server' } },
        [{ type: 'ClockAdvanced', data: { time: T0 + 5000 } }, { time: T0 + 5000 }],
      ),
    );
    expect(state).toMatchObject({ seed: 42, mode: 'server', position: 2, time: T0 + 5000 });
  });

  it('applies in place and returns the same state', () => {
    const state = createClusterState();
    const [event] = history({ type: 'ObjectCreated', data: { object: pod('a') } });
    expect(applyEvent(state, event!)).toBe(state);
  });

  it('ObjectCreated stores the object with resourceVersion = its position, without touching the event', () => {
    const events = history({ type: 'ClockAdvanced', data: { time: T0 } }, { type: 'ObjectCreated', data: { object: pod('a') } });
    const state = rebuildState(events);
    expect(getObject(state, 'Pod', 'default', 'a')?.metadata.resourceVersion).toBe('2');
    expect((events[1]!.data as { object: { metadata: { resourceVersion?: string } } }).object.metadata.resourceVersion).toBeUndefined();
  });

  it('ObjectReplaced re-indexes labels, owners and node binding', () => {
    const state = rebuildState(
      history(
        { type: 'ObjectCreated', data: { object: pod('a', { labels: { app: 'web' }, owner: 'rs-1', nodeName: 'n1' }) } },
        { type: 'ObjectReplaced', data: { object: pod('a', { labels: { app: 'api' }, owner: 'rs-2', nodeName: 'n2' }) } },
      ),
    );
    expect(objectsWithLabel(state, 'Pod', 'app', 'web')).toEqual([]);
    expect(objectsWithLabel(state, 'Pod', 'app', 'api').map((p) => p.metadata.name)).toEqual(['a']);
    expect(ownedBy(state, 'rs-1')).toEqual([]);
    expect(ownedBy(state, 'rs-2').map((p) => p.metadata.name)).toEqual(['a']);
    expect(podsOnNode(state, 'n1')).toEqual([]);
    expect(podsOnNode(state, 'n2').map((p) => p.metadata.name)).toEqual(['a']);
    expect(getObject(state, 'Pod', 'default', 'a')?.metadata.resourceVersion).toBe('2');
  });

  it('ObjectRemoved deletes the object and every index entry', () => {
    const state = rebuildState(
      history(
        { type: 'ObjectCreated', data: { object: pod('a', { labels: { app: 'web' }, owner: 'rs-1', nodeName: 'n1' }) } },
        { type: 'ObjectRemoved', data: { ref: ref('a') } },
      ),
    );
    expect(getObject(state, 'Pod', 'default', 'a')).toBeUndefined();
    expect(state.objects.size).toBe(0);
    expect(state.podsByNode.size).toBe(0);
    expect(state.byOwner.size).toBe(0);
    expect(state.byLabel.size).toBe(0);
    expect(objectByUid(state, 'uid-a')).toBeUndefined();
  });

  it('ObjectStatusReplaced replaces status only and leaves the earlier object untouched', () => {
    const state = rebuildState(history({ type: 'ObjectCreated', data: { object: pod('a') } }));
    const before = getObject(state, 'Pod', 'default', 'a')!;
    applyEvent(state, history({ type: 'ObjectCreated', data: { object: pod('x') } }, { type: 'ObjectStatusReplaced', data: { ref: ref('a'), status: { phase: 'Running' } } })[1]!);
    const after = getObject(state, 'Pod', 'default', 'a')!;
    expect(after.status).toEqual({ phase: 'Running' });
    expect(after.spec).toEqual(before.spec);
    expect(before.status).toEqual({ phase: 'Pending' });
    expect(after.metadata.resourceVersion).toBe('2');
  });

  it('ObjectDeletionRequested sets deletionTimestamp, grace, the propagation finalizer, and Terminating for namespaces', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', uid: 'u-ns' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    const state = rebuildState(
      history(
        { type: 'ObjectCreated', data: { object: ns } },
        { type: 'ObjectCreated', data: { object: pod('a') } },
        { type: 'ObjectDeletionRequested', data: { ref: { kind: 'Namespace', name: 'team' }, deletionTimestamp: '2026-01-01T00:00:00Z', gracePeriodSeconds: 0, propagationPolicy: 'Background' } },
        { type: 'ObjectDeletionRequested', data: { ref: ref('a'), deletionTimestamp: '2026-01-01T00:00:30Z', gracePeriodSeconds: 30, propagationPolicy: 'Foreground' } },
      ),
    );
    expect(getObject(state, 'Namespace', undefined, 'team')).toMatchObject({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 }, status: { phase: 'Terminating' } });
    expect(getObject(state, 'Pod', 'default', 'a')!.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30, finalizers: ['foregroundDeletion'] });
  });

  describe('nodes', () => {
    it('NodeRegistered creates the Node and its Lease in kube-node-lease', () => {
      const state = rebuildState(history({ type: 'NodeRegistered', data: { node: node('n1') } }));
      expect(getObject(state, 'Node', undefined, 'n1')?.metadata.resourceVersion).toBe('1');
      const lease = getObject(state, 'Lease', 'kube-node-lease', 'n1')!;
      expect(lease.spec).toEqual({ holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });
      expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-n1' }]);
      expect(ownedBy(state, 'uid-n1')).toEqual([lease]);
      expect(state.heartbeats.get('n1')).toBe(T0);
    });

    it('NodeHeartbeat renews the Lease and records the heartbeat, leaving the Node alone', () => {
      const state = rebuildState(
        history({ type: 'NodeRegistered', data: { node: node('n1') } }, [{ type: 'NodeHeartbeat', data: { nodes: ['n1'] } }, { time: T0 + 10_000 }]),
      );
      expect(getObject(state, 'Lease', 'kube-node-lease', 'n1')?.spec.renewTime).toBe('2026-01-01T00:00:10.000000Z');
      expect(getObject(state, 'Lease', 'kube-node-lease', 'n1')?.metadata.resourceVersion).toBe('2');
      expect(getObject(state, 'Node', undefined, 'n1')?.metadata.resourceVersion).toBe('1');
      expect(state.heartbeats.get('n1')).toBe(T0 + 10_000);
    });

    it('one NodeHeartbeat renews the Lease of every node it names, and only theirs', () => {
      const state = rebuildState(
        history(
          { type: 'NodeRegistered', data: { node: node('n1') } },
          { type: 'NodeRegistered', data: { node: node('n2') } },
          { type: 'NodeRegistered', data: { node: node('n3') } },
          [{ type: 'NodeHeartbeat', data: { nodes: ['n1', 'n3'] } }, { time: T0 + 10_000 }],
        ),
      );
      expect(['n1', 'n2', 'n3'].map((n) => getObject(state, 'Lease', 'kube-node-lease', n)?.metadata.resourceVersion)).toEqual(['4', '2', '4']);
      expect(['n1', 'n2', 'n3'].map((n) => state.heartbeats.get(n))).toEqual([T0 + 10_000, T0, T0 + 10_000]);
    });

    it('KubeletStopped and KubeletStarted track which nodes have a stopped kubelet; removing the node forgets it', () => {
      const stopped = rebuildState(
        history(
          { type: 'NodeRegistered', data: { node: node('n1') } },
          { type: 'NodeRegistered', data: { node: node('n2') } },
          { type: 'KubeletStopped', data: { node: 'n1', reason: 'crash' } },
          { type: 'KubeletStopped', data: { node: 'n2', reason: 'crash' } },
          { type: 'KubeletStarted', data: { node: 'n2' } },
        ),
      );
      expect([...stopped.stoppedKubelets]).toEqual(['n1']);
      expect(getObject(stopped, 'Node', undefined, 'n1')?.metadata.resourceVersion).toBe('1');
    });

    it('NodeConditionChanged moves lastTransitionTime only when the status changes', () => {
      const ready = (status: 'True' | 'False') => ({ type: 'NodeConditionChanged' as const, data: { node: 'n1', condition: { type: 'Ready', status, reason: 'KubeletReady', message: 'kubelet is posting ready status' } } });
      const state = rebuildState(
        history(
          { type: 'NodeRegistered', data: { node: node('n1') } },
          [ready('True'), { time: T0 + 1000 }],
          [ready('True'), { time: T0 + 2000 }],
        ),
      );
      expect(getObject(state, 'Node', undefined, 'n1')?.status.conditions).toEqual([
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-01-01T00:00:02Z', lastTransitionTime: '2026-01-01T00:00:01Z' },
      ]);
      applyEvent(state, { ...history(ready('False'))[0]!, position: 4, metadata: { actor: 't', time: T0 + 3000 } });
      expect(getObject(state, 'Node', undefined, 'n1')?.status.conditions[0]).toMatchObject({ status: 'False', lastTransitionTime: '2026-01-01T00:00:03Z' });
    });

    it('NodeUnschedulableChanged and NodeTaintsChanged set the spec, and clear it when off', () => {
      const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const };
      const state = rebuildState(
        history(
          { type: 'NodeRegistered', data: { node: node('n1') } },
          { type: 'NodeUnschedulableChanged', data: { node: 'n1', unschedulable: true } },
          { type: 'NodeTaintsChanged', data: { node: 'n1', taints: [taint] } },
        ),
      );
      expect(getObject(state, 'Node', undefined, 'n1')?.spec).toEqual({ unschedulable: true, taints: [taint] });
      applyEvent(state, { ...history({ type: 'NodeUnschedulableChanged', data: { node: 'n1', unschedulable: false } })[0]!, position: 4 });
      applyEvent(state, { ...history({ type: 'NodeTaintsChanged', data: { node: 'n1', taints: [] } })[0]!, position: 5 });
      expect(getObject(state, 'Node', undefined, 'n1')?.spec).toEqual({});
    });

    it('a node registering again after its Node was deleted takes its Lease back', () => {
      const again = { ...node('n1'), metadata: { name: 'n1', uid: 'uid-n1-again' } };
      const state = rebuildState(
        history(
          { type: 'NodeRegistered', data: { node: node('n1') } },
          { type: 'ObjectRemoved', data: { ref: { kind: 'Node', name: 'n1' } } },
          { type: 'NodeRegistered', data: { node: again } },
        ),
      );
      expect(getObject(state, 'Lease', 'kube-node-lease', 'n1')!.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-n1-again' }]);
      expect(ownedBy(state, 'uid-n1')).toEqual([]);
      expect(ownedBy(state, 'uid-n1-again').map((o) => o.kind)).toEqual(['Lease']);
    });

    it('removing a Node forgets its heartbeats', () => {
      const state = rebuildState(history({ type: 'NodeRegistered', data: { node: node('n1') } }, { type: 'ObjectRemoved', data: { ref: { kind: 'Node', name: 'n1' } } }));
      expect(state.heartbeats.has('n1')).toBe(false);
    });
  });

  describe('pods', () => {
    const decision = { evaluated: 3, feasible: 0, verdicts: [], message: '0/3 nodes are available: 3 Insufficient cpu.' };

    it('PodUnschedulable then PodScheduled: the PodScheduled condition flips and the pod is indexed on its node', () => {
      const state = rebuildState(
        history(
          { type: 'ObjectCreated', data: { object: pod('a') } },
          { type: 'PodUnschedulable', data: { ref: ref('a'), decision } },
          [{ type: 'PodScheduled', data: { ref: ref('a'), nodeName: 'n1', decision: { ...decision, feasible: 1, chosen: 'n1' } } }, { time: T0 + 7000 }],
        ),
      );
      const a = getObject(state, 'Pod', 'default', 'a')!;
      expect(a.spec.nodeName).toBe('n1');
      expect(a.status.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:07Z' }]);
      expect(podsOnNode(state, 'n1')).toEqual([a]);
    });

    it('PodUnschedulable records Kubernetes\' reason and the decision message', () => {
      const state = rebuildState(history({ type: 'ObjectCreated', data: { object: pod('a') } }, { type: 'PodUnschedulable', data: { ref: ref('a'), decision } }));
      expect(getObject(state, 'Pod', 'default', 'a')!.status.conditions).toEqual([
        { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' },
      ]);
    });

    it('PodPhaseChanged sets phase, IPs and startTime once', () => {
      const state = rebuildState(
        history(
          { type: 'ObjectCreated', data: { object: pod('a', { nodeName: 'n1' }) } },
          [{ type: 'PodPhaseChanged', data: { ref: ref('a'), phase: 'Pending', hostIP: '10.0.0.2' } }, { time: T0 + 1000 }],
          [{ type: 'PodPhaseChanged', data: { ref: ref('a'), phase: 'Running', podIP: '10.244.0.5' } }, { time: T0 + 2000 }],
        ),
      );
      expect(getObject(state, 'Pod', 'default', 'a')!.status).toMatchObject({
        phase: 'Running',
        hostIP: '10.0.0.2',
        hostIPs: [{ ip: '10.0.0.2' }],
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        startTime: '2026-01-01T00:00:01Z',
      });
    });

    it('ContainerStateChanged fills the container status and the kubelet conditions', () => {
      const running = { running: { startedAt: '2026-01-01T00:00:03Z' } };
      const state = rebuildState(
        history(
          { type: 'ObjectCreated', data: { object: pod('a', { nodeName: 'n1', containers: ['app', 'sidecar'] }) } },
          [{ type: 'ContainerStateChanged', data: { ref: ref('a'), container: 'sidecar', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 } }, { time: T0 + 1000 }],
          [{ type: 'ContainerStateChanged', data: { ref: ref('a'), container: 'app', state: running, ready: true, started: true, restartCount: 0 } }, { time: T0 + 3000 }],
        ),
      );
      const status = getObject(state, 'Pod', 'default', 'a')!.status;
      expect(status.containerStatuses.map((c: { name: string }) => c.name)).toEqual(['app', 'sidecar']);
      expect(status.containerStatuses[0]).toMatchObject({ name: 'app', state: running, lastState: {}, ready: true, started: true, restartCount: 0, image: 'docker.io/library/nginx:1.27' });
      expect(status.containerStatuses[0].imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
      expect(status.containerStatuses[0].containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
      expect(status.containerStatuses[1]).toMatchObject({ name: 'sidecar', imageID: '', ready: false });
      expect(status.containerStatuses[1].containerID).toBeUndefined();
      const conditions = Object.fromEntries(status.conditions.map((c: { type: string }) => [c.type, c]));
      expect(conditions.Initialized).toMatchObject({ status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' });
      expect(conditions.Ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [sidecar]' });
      expect(conditions.ContainersReady).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [sidecar]' });
    });

    it('Ready becomes True when every container is ready, with lastTransitionTime at that moment', () => {
      const state = rebuildState(
        history(
          { type: 'ObjectCreated', data: { object: pod('a', { nodeName: 'n1' }) } },
          [{ type: 'ContainerStateChanged', data: { ref: ref('a'), container: 'app', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 } }, { time: T0 + 1000 }],
          [{ type: 'ContainerStateChanged', data: { ref: ref('a'), container: 'app', state: { running: { startedAt: '2026-01-01T00:00:04Z' } }, ready: true, started: true, restartCount: 0 } }, { time: T0 + 4000 }],
        ),
      );
      const conditions = getObject(state, 'Pod', 'default', 'a')!.status.conditions;
      expect(conditions.map((c: { type: string }) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);
      expect(conditions.find((c: { type: string }) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:04Z' });
    });

    it('init containers gate Initialized until they terminate with exit code 0', () => {
      const events = history(
        { type: 'ObjectCreated', data: { object: pod('a', { nodeName: 'n1', initContainers: ['migrate'] }) } },
        { type: 'ContainerStateChanged', data: { ref: ref('a'), container: 'migrate', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, ready: false, started: true, restartCount: 0 } },
      );
      const state = rebuildState(events);
      const initialized = () => getObject(state, 'Pod', 'default', 'a')!.status.conditions.find((c: { type: string }) => c.type === 'Initialized');
      expect(initialized()).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [migrate]' });
      expect(getObject(state, 'Pod', 'default', 'a')!.status.initContainerStatuses[0].name).toBe('migrate');
      applyEvent(state, {
        ...events[1]!,
        position: 3,
        data: { ref: ref('a'), container: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-01-01T00:00:01Z' } }, ready: false, started: false, restartCount: 0 },
      } as never);
      expect(initialized()).toMatchObject({ status: 'True' });
    });

    it('a container keeps its containerID until it restarts, and the restart records lastState', () => {
      const running = (restartCount: number) => ({ type: 'ContainerStateChanged' as const, data: { ref: ref('a'), container: 'app', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, ready: true, started: true, restartCount } });
      const terminated = { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:00:05Z' } };
      const state = rebuildState(history({ type: 'ObjectCreated', data: { object: pod('a', { nodeName: 'n1' }) } }, running(0)));
      const id = () => getObject(state, 'Pod', 'default', 'a')!.status.containerStatuses[0].containerID;
      const first = id();
      applyEvent(state, { ...history({ type: 'ContainerStateChanged', data: { ref: ref('a'), container: 'app', state: terminated, ready: false, started: false, restartCount: 0 } })[0]!, position: 3 });
      expect(id()).toBe(first);
      applyEvent(state, { ...history({ ...running(1), data: { ...running(1).data, lastState: terminated } })[0]!, position: 4 });
      expect(id()).not.toBe(first);
      expect(getObject(state, 'Pod', 'default', 'a')!.status.containerStatuses[0]).toMatchObject({ restartCount: 1, lastState: terminated, ready: true });
    });

    it('PodEvicted adds the DisruptionTarget condition', () => {
      const state = rebuildState(
        history({ type: 'ObjectCreated', data: { object: pod('a') } }, { type: 'PodEvicted', data: { ref: ref('a'), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' } }),
      );
      expect(getObject(state, 'Pod', 'default', 'a')!.status.conditions).toEqual([
        { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' },
      ]);
    });

    it('status facts about a missing object are ignored but still advance the position', () => {
      const state = rebuildState(history({ type: 'PodEvicted', data: { ref: ref('ghost'), reason: 'x', message: 'y' } }));
      expect(state.position).toBe(1);
      expect(state.objects.size).toBe(0);
    });
  });

  describe('queries', () => {
    it('list in etcd key order and filter by namespace', () => {
      const state = rebuildState(
        history(
          { type: 'ObjectCreated', data: { object: pod('b', { namespace: 'a' }) } },
          { type: 'ObjectCreated', data: { object: pod('a', { namespace: 'a-b' }) } },
          { type: 'ObjectCreated', data: { object: pod('a', { namespace: 'a', uid: 'u-aa' }) } },
        ),
      );
      expect(listObjects(state, 'Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['a-b/a', 'a/a', 'a/b']);
      expect(listObjects(state, 'Pod', 'a').map((p) => p.metadata.name)).toEqual(['a', 'b']);
      expect(listObjects(state, 'Deployment')).toEqual([]);
      expect(objectByUid(state, 'u-aa')?.metadata.namespace).toBe('a');
    });

    it('the uid index follows creations and removals made after its first use', () => {
      const state = rebuildState(history({ type: 'ObjectCreated', data: { object: pod('a') } }));
      expect(objectByUid(state, 'uid-a')?.metadata.name).toBe('a');
      applyEvent(state, { ...history({ type: 'ObjectCreated', data: { object: pod('b') } })[0]!, position: 2 });
      applyEvent(state, { ...history({ type: 'ObjectRemoved', data: { ref: ref('a') } })[0]!, position: 3 });
      expect(objectByUid(state, 'uid-b')?.metadata.name).toBe('b');
      expect(objectByUid(state, 'uid-a')).toBeUndefined();
    });
  });
});
