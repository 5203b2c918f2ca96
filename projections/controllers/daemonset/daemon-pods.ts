import type { Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { computeHash } from '../../../core/model/pod-template-hash.ts';
import { nodeAffinityOf, matchesRequiredNodeAffinity } from '../scheduler/node-affinity.ts';
import { nodeInfoOf } from '../scheduler/node-info.ts';
import { type Toleration, toleratesAny } from '../scheduler/tolerations.ts';
import { newControllerRef } from '../replicaset/controller-ref.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

/**
 * What a DaemonSet's pods look like and where they belong (pkg/controller/daemon/util and
 * `NodeShouldRunDaemonPod`).
 */

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** `util.AddOrUpdateDaemonPodTolerations`: what every daemon pod tolerates, whatever its template says. */
export function daemonPodTolerations(podSpec: any): Toleration[] {
  const defaults: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (podSpec?.hostNetwork) defaults.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const tolerations: Toleration[] = [...(podSpec?.tolerations ?? [])];
  for (const toleration of defaults) {
    if (!tolerations.some((t) => t.key === toleration.key && t.effect === toleration.effect && (t.operator ?? 'Equal') === 'Exists')) tolerations.push(toleration);
  }
  return tolerations;
}

export function templateHash(ds: KubeObject): string {
  return computeHash(ds.spec?.template ?? {});
}

/**
 * `NodeShouldRunDaemonPod`: `shouldRun` when the pod's node selector and required affinity match
 * and every NoSchedule/NoExecute taint is tolerated; `shouldContinueRunning` needs only the
 * NoExecute ones tolerated (a NoSchedule taint stops new pods, not running ones).
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const podSpec = ds.spec?.template?.spec ?? {};
  if (!matchesRequiredNodeAffinity(nodeAffinityOf(podSpec), nodeInfoOf(node))) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(podSpec);
  const taints = (node.spec?.taints ?? []) as Taint[];
  const untolerated = taints.filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratesAny(tolerations, t));
  return { shouldRun: untolerated.length === 0, shouldContinueRunning: !untolerated.some((t) => t.effect === 'NoExecute') };
}

/** `util.ReplaceDaemonSetPodNodeNameNodeAffinity`: the pod's required node affinity pins it to one node by name. */
function pinnedAffinity(affinity: any, nodeName: string): any {
  const copy = clonePlain(affinity ?? {});
  copy.nodeAffinity ??= {};
  copy.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
  return copy;
}

/** The node a daemon pod is for: where it is bound, or the node its affinity pins it to. */
export function daemonPodNode(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const field of term.matchFields ?? []) if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
  }
  return undefined;
}

/** A new daemon pod for one node: the template, the revision labels, the default tolerations, the pinning affinity. */
export function daemonPodFor(ds: KubeObject, nodeName: string, name: string, hash: string): KubeObject {
  const template = ds.spec?.template ?? {};
  const labels = { ...template.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash, [POD_TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) };
  const metadata: KubeObject['metadata'] = { name, generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace, labels, ownerReferences: [newControllerRef(ds)] };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  const spec = clonePlain(template.spec ?? {});
  spec.affinity = pinnedAffinity(spec.affinity, nodeName);
  spec.tolerations = daemonPodTolerations(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export const isUpdatedPod = (pod: KubeObject, hash: string) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
