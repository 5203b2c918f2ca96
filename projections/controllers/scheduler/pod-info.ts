import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { objectKey } from '../../../core/model/object.ts';
import { type NodeAffinitySpec, hasRequiredNodeConstraints, nodeAffinityOf, requiredNodeNames } from './node-affinity.ts';
import { type HostPort, hostPortsOf } from './host-ports.ts';
import { hardSpreadConstraints } from './filters/pod-topology-spread.ts';
import { type AffinityTerm, requiredTerms } from './pod-affinity.ts';
import { TAINT_UNSCHEDULABLE } from './node-info.ts';
import { type PodRequests, podRequests } from './pod-requests.ts';
import { type Toleration, toleratesAny } from './tolerations.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Owner kinds whose selector kube-scheduler's DefaultSelector spreads a pod's siblings by. */
const SPREAD_OWNER_KINDS = new Set(['ReplicaSet', 'ReplicationController', 'StatefulSet']);

/** A pod as one scheduling cycle sees it: everything the filters and scores read, parsed once. */
export interface PodInfo {
  key: string;
  ref: ObjectRef;
  namespace: string;
  /** spec.nodeName, which the NodeName filter holds the pod to (pods the scheduler picks up have none). */
  nodeName: string | undefined;
  requests: PodRequests;
  tolerations: Toleration[];
  toleratesUnschedulable: boolean;
  affinity: NodeAffinitySpec;
  /** Whether the pod has a nodeSelector or required node affinity for the NodeAffinity filter to check. */
  requiresNodeMatch: boolean;
  /** The only nodes its required node affinity allows, when it names them (DaemonSet pods). */
  nodeNames: ReadonlySet<string> | undefined;
  labels: Readonly<Record<string, string>>;
  /** Required pod affinity and anti-affinity terms; absent when none. */
  affinityTerms: AffinityTerm[] | undefined;
  antiAffinityTerms: AffinityTerm[] | undefined;
  /** topologySpreadConstraints with whenUnsatisfiable DoNotSchedule; absent when none. */
  hardSpreadConstraints: ReturnType<typeof hardSpreadConstraints>;
  /** hostPorts the pod's containers ask for; absent when none. */
  hostPorts: HostPort[] | undefined;
  /** uid of the controlling ReplicaSet/StatefulSet/ReplicationController: its pods are spread apart. */
  spreadGroup: string | undefined;
  /** Whether the system default spread constraints apply (a spread group and no constraints of its own). */
  defaultSpread: boolean;
  priority: number;
}

export function podInfoOf(pod: KubeObject): PodInfo {
  const spec = pod.spec ?? {};
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const tolerations = (spec.tolerations ?? []) as Toleration[];
  const controller = pod.metadata.ownerReferences?.find((o) => o.controller);
  const spreadGroup = controller && SPREAD_OWNER_KINDS.has(controller.kind) ? controller.uid : undefined;
  const affinity = nodeAffinityOf(spec);
  // One literal either way: the ref goes into the decision event the log keeps.
  const ref: ObjectRef = pod.metadata.uid ? { kind: 'Pod', namespace, name, uid: pod.metadata.uid } : { kind: 'Pod', namespace, name };
  const info: PodInfo = {
    key: objectKey(namespace, name),
    ref,
    namespace,
    nodeName: spec.nodeName || undefined,
    requests: podRequests(pod),
    tolerations,
    toleratesUnschedulable: toleratesAny(tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }),
    affinity,
    requiresNodeMatch: hasRequiredNodeConstraints(affinity),
    nodeNames: requiredNodeNames(affinity),
    labels: pod.metadata.labels ?? {},
    affinityTerms: requiredTerms(spec, namespace, 'podAffinity'),
    antiAffinityTerms: requiredTerms(spec, namespace, 'podAntiAffinity'),
    hostPorts: hostPortsOf(spec),
    spreadGroup,
    defaultSpread: spreadGroup !== undefined && !spec.topologySpreadConstraints?.length,
    priority: typeof spec.priority === 'number' ? spec.priority : 0,
    hardSpreadConstraints: undefined,
  };
  if (spec.topologySpreadConstraints?.length) info.hardSpreadConstraints = hardSpreadConstraints(info, spec);
  return info;
}

/**
 * Whether this scheduler should place the pod now: not bound, meant for `default-scheduler`, not
 * being deleted, not finished, and with no scheduling gates left.
 */
export function needsScheduling(pod: KubeObject): boolean {
  const spec = pod.spec ?? {};
  if (spec.nodeName) return false;
  if ((spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) !== DEFAULT_SCHEDULER_NAME) return false;
  if (pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) return false;
  return true;
}
