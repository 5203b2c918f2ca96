import type { StoredEvent, Taint } from '../../../core/events.ts';
import type { KubeObject, OwnerReference } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { applyEvent, createClusterState } from '../../state/reducer.ts';

/** Hand-built nodes, pods and states for the scheduler's given/when/then tests. */

export interface TestNode {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  /** Ready condition status; default 'True'. `null` leaves the condition out. */
  ready?: 'True' | 'False' | 'Unknown' | null;
}

export function testNode(name: string, options: TestNode = {}): KubeObject {
  const allocatable = { cpu: options.cpu ?? '4', memory: options.memory ?? '16Gi', pods: String(options.pods ?? 110) };
  const ready = options.ready === undefined ? 'True' : options.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...options.labels } },
    spec: { ...(options.taints ? { taints: options.taints } : {}), ...(options.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable, capacity: allocatable, conditions: ready === null ? [] : [{ type: 'Ready', status: ready }] },
  };
}

export interface TestPod {
  cpu?: string;
  memory?: string;
  nodeName?: string;
  namespace?: string;
  owner?: OwnerReference;
  phase?: string;
  spec?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export function testPod(name: string, options: TestPod = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (options.cpu) requests.cpu = options.cpu;
  if (options.memory) requests.memory = options.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      uid: `uid-${name}`,
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.owner ? { ownerReferences: [options.owner] } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx', ...(Object.keys(requests).length ? { resources: { requests } } : {}) }],
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
      ...options.spec,
    },
    status: { phase: options.phase ?? 'Pending' },
  };
}

export function replicaSetOwner(name: string): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: `uid-rs-${name}`, controller: true, blockOwnerDeletion: true };
}

/** A state holding these objects, as if each had been created in turn. */
export function stateWith(objects: KubeObject[], seed = 1): ClusterState {
  const state = createClusterState();
  let position = 0;
  const apply = (event: Omit<StoredEvent, 'position' | 'stream' | 'streamRevision' | 'metadata'>) =>
    applyEvent(state, { ...event, position: ++position, stream: 'test', streamRevision: 0, metadata: { actor: 'test', time: 0 } } as StoredEvent);
  apply({ type: 'ClusterInitialized', data: { seed, startTime: 0, mode: 'simulation' } });
  for (const object of objects) apply({ type: 'ObjectCreated', data: { object } });
  return state;
}
