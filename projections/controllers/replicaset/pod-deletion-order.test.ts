import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import { POD_DELETION_COST_ANNOTATION, podsToDelete } from './pod-deletion-order.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const minutesAgo = (m: number) => toRfc3339(NOW - m * 60_000);

interface PodShape {
  name: string;
  node?: string;
  phase?: string;
  readySince?: number;
  restarts?: number;
  createdMinutesAgo?: number;
  cost?: string;
}

function pod(shape: PodShape): KubeObject {
  const conditions = shape.readySince === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: minutesAgo(shape.readySince) }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: shape.name,
      namespace: 'default',
      uid: `uid-${shape.name}`,
      creationTimestamp: minutesAgo(shape.createdMinutesAgo ?? 600),
      ...(shape.cost ? { annotations: { [POD_DELETION_COST_ANNOTATION]: shape.cost } } : {}),
    },
    spec: shape.node ? { nodeName: shape.node } : {},
    status: { phase: shape.phase ?? 'Running', conditions, containerStatuses: [{ restartCount: shape.restarts ?? 0 }] },
  };
}

const order = (pods: KubeObject[], related: KubeObject[] = []) => podsToDelete(pods, related, pods.length - 1, NOW).map((p) => p.metadata.name);

describe('ReplicaSet scale-down order', () => {
  it('deletes unscheduled pods before scheduled ones', () => {
    expect(order([pod({ name: 'a', node: 'n1', readySince: 5 }), pod({ name: 'b', phase: 'Pending' })])).toEqual(['b']);
  });

  it('deletes Pending before Unknown before Running', () => {
    const pods = [pod({ name: 'running', node: 'n1' }), pod({ name: 'unknown', node: 'n1', phase: 'Unknown' }), pod({ name: 'pending', node: 'n1', phase: 'Pending' })];
    expect(podsToDelete(pods, [], 2, NOW).map((p) => p.metadata.name)).toEqual(['pending', 'unknown']);
  });

  it('deletes not-ready before ready', () => {
    expect(order([pod({ name: 'ready', node: 'n1', readySince: 5 }), pod({ name: 'unready', node: 'n1' })])).toEqual(['unready']);
  });

  it('deletes the pod with the lower deletion cost first', () => {
    expect(order([pod({ name: 'cheap', node: 'n1', readySince: 5, cost: '-10' }), pod({ name: 'dear', node: 'n1', readySince: 5, cost: '100' })])).toEqual(['cheap']);
  });

  it('deletes doubled-up pods (more related pods on their node) first', () => {
    const a = pod({ name: 'a', node: 'crowded', readySince: 5 });
    const b = pod({ name: 'b', node: 'alone', readySince: 5 });
    const sibling = pod({ name: 'sibling', node: 'crowded', readySince: 5 });
    expect(order([a, b], [a, b, sibling])).toEqual(['a']);
  });

  it('deletes the pod ready for less time first (different power-of-two buckets)', () => {
    expect(order([pod({ name: 'old', node: 'n1', readySince: 600 }), pod({ name: 'fresh', node: 'n1', readySince: 1 })])).toEqual(['fresh']);
  });

  it('deletes the pod with more restarts first when readiness ties', () => {
    expect(order([pod({ name: 'steady', node: 'n1', restarts: 0 }), pod({ name: 'flappy', node: 'n1', restarts: 7 })])).toEqual(['flappy']);
  });

  it('deletes the newer pod first when everything else ties', () => {
    expect(order([pod({ name: 'elder', node: 'n1', createdMinutesAgo: 600 }), pod({ name: 'younger', node: 'n1', createdMinutesAgo: 1 })])).toEqual(['younger']);
  });

  it('breaks ties within one logarithmic bucket by uid', () => {
    // 60 and 61 minutes ago land in the same log2(ns) bucket: the lower uid goes first.
    expect(order([pod({ name: 'b', node: 'n1', readySince: 61 }), pod({ name: 'a', node: 'n1', readySince: 60 })])).toEqual(['a']);
  });

  it('returns every pod when asked for as many as there are', () => {
    const pods = [pod({ name: 'x' }), pod({ name: 'y' })];
    expect(podsToDelete(pods, [], 5, NOW)).toHaveLength(2);
  });
});
