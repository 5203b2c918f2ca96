import type { KubeObject } from '../../../core/model/object.ts';
import { computeHash } from '../../../core/model/pod-template-hash.ts';
import { newControllerRef } from '../replicaset/controller-ref.ts';
import { isPodReady } from '../replicaset/pod-availability.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

/** Stateful pod identity and revisions (pkg/controller/statefulset/stateful_set_utils.go). */

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export const startOrdinal = (sts: KubeObject): number => sts.spec?.ordinals?.start ?? 0;

/** `getParentNameAndOrdinal`: `web-3` → 3 for StatefulSet `web`; -1 when the name is not one of its pods. */
export function ordinalOf(sts: KubeObject, podName: string): number {
  const prefix = `${sts.metadata.name}-`;
  if (!podName.startsWith(prefix)) return -1;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

export const podName = (sts: KubeObject, ordinal: number) => `${sts.metadata.name}-${ordinal}`;

/** `getPersistentVolumeClaimName`: `<claim template>-<pod>`. */
export const claimName = (template: KubeObject, pod: string) => `${template.metadata?.name}-${pod}`;

/** The revision name for the StatefulSet's current template: `<name>-<hash>`, also the pods' controller-revision-hash. */
export function revisionName(sts: KubeObject, template: unknown = sts.spec?.template): string {
  return `${sts.metadata.name}-${computeHash(template ?? {}, sts.status?.collisionCount ?? 0)}`;
}

export const podRevision = (pod: KubeObject): string | undefined => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];

export const isTerminating = (pod: KubeObject) => !!pod.metadata.deletionTimestamp;
export const isFailed = (pod: KubeObject) => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
export const isRunningAndReady = (pod: KubeObject) => pod.status?.phase === 'Running' && isPodReady(pod);
/** `isCreated`: the pod has been seen by the API (it has a phase). */
export const isCreated = (pod: KubeObject) => !!pod.status?.phase;

/**
 * `newVersionedStatefulSetPod`: the template at a revision, the identity labels, hostname and
 * subdomain, and the claims from volumeClaimTemplates mounted as volumes.
 */
export function statefulPod(sts: KubeObject, template: any, revision: string, ordinal: number): KubeObject {
  const name = podName(sts, ordinal);
  const labels = { ...template?.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) };
  const metadata: KubeObject['metadata'] = { name, namespace: sts.metadata.namespace, labels, ownerReferences: [newControllerRef(sts)] };
  if (template?.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  const spec = clonePlain(template?.spec ?? {});
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  const claims: KubeObject[] = sts.spec?.volumeClaimTemplates ?? [];
  if (claims.length) {
    const volumes: any[] = (spec.volumes ?? []).filter((v: any) => !claims.some((c) => c.metadata?.name === v.name));
    for (const claim of claims) volumes.push({ name: claim.metadata?.name, persistentVolumeClaim: { claimName: claimName(claim, name) } });
    spec.volumes = volumes;
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** `getPersistentVolumeClaims`: one claim per template for the pod, labelled with the StatefulSet's selector labels. */
export function podClaims(sts: KubeObject, pod: string): KubeObject[] {
  return ((sts.spec?.volumeClaimTemplates ?? []) as KubeObject[]).map((template) => {
    const labels = { ...template.metadata?.labels, ...sts.spec?.selector?.matchLabels };
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(template, pod), namespace: sts.metadata.namespace, labels },
      spec: clonePlain(template.spec ?? {}),
    };
    if (template.metadata?.annotations) claim.metadata.annotations = { ...template.metadata.annotations };
    return claim;
  });
}
