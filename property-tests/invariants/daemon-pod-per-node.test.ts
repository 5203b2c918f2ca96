import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { daemonPodPerNode } from './daemon-pod-per-node.ts';

let position = 0;
const stored = (event: Record<string, unknown>): StoredEvent => ({ ...event, position: ++position, stream: 'x', streamRevision: 0, metadata: { actor: 'test', time: 0 } }) as unknown as StoredEvent;

const daemonPod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'kube-system', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
  spec: { containers: [{ name: 'a', image: 'a' }] },
});

describe('daemon-pod-per-node', () => {
  it('accepts one pod per node and reports a second live pod of the same DaemonSet on a node', () => {
    const checker = daemonPodPerNode.start();
    const state = createClusterState();
    const feed = (event: StoredEvent) => {
      applyEvent(state, event);
      return checker.onEvent!(event, state);
    };
    feed(stored({ type: 'ClusterInitialized', data: { seed: 1, startTime: 0, mode: 'simulation' } }));
    for (const name of ['agent-a', 'agent-b', 'agent-c']) feed(stored({ type: 'ObjectCreated', data: { object: daemonPod(name) } }));
    const bind = (name: string, node: string) => stored({ type: 'PodScheduled', data: { ref: { kind: 'Pod', namespace: 'kube-system', name }, nodeName: node, decision: { nodes: [] } } });
    expect(feed(bind('agent-a', 'node-1'))).toBeUndefined();
    expect(feed(bind('agent-b', 'node-2'))).toBeUndefined();
    expect(feed(bind('agent-c', 'node-1'))).toBe('DaemonSet kube-system/agent has agent-a and agent-c both on node-1');
  });
});
