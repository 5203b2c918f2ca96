import { labelSelectorAsSelector, matches } from '../../../core/model/labels.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { claimVerdict, newControllerRef, withControllerRef } from '../replicaset/controller-ref.ts';
import { isPodAvailable } from '../replicaset/pod-availability.ts';
import { podsOwnedBy } from '../replicaset/pod-index.ts';
import {
  isCreated, isFailed, isRunningAndReady, isTerminating, ordinalOf, podClaims, podName, podRevision, revisionName, startOrdinal, statefulPod,
} from './stateful-pods.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

const deletePod = (pod: KubeObject, meta: CommandMeta): Command => ({
  ...meta,
  type: 'delete',
  ref: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
  preconditions: { uid: pod.metadata.uid! },
});

/** The StatefulSet's ControllerRevisions, oldest revision first. */
function revisionsOf(state: ClusterState, sts: KubeObject): KubeObject[] {
  return listObjects(state, 'ControllerRevision', sts.metadata.namespace)
    .filter((r) => r.metadata.ownerReferences?.some((o) => o.controller && o.uid === sts.metadata.uid))
    .sort((a, b) => (a.revision as number) - (b.revision as number));
}

/**
 * One reconcile of one StatefulSet (`StatefulSetControl.UpdateStatefulSet`): record the template as
 * a ControllerRevision, keep pods `<name>-<ordinal>` for every ordinal in range with their claims,
 * in order and one at a time under OrderedReady (all at once under Parallel), remove condemned
 * ordinals highest first, roll pods at or above the partition to the update revision highest
 * first, and write the status.
 */
/** `includeOrphans`: look for pods to adopt too (a scan of the namespace's pods, so only when one may exist). */
export function syncStatefulSet(state: ClusterState, namespace: string, name: string, meta: CommandMeta, includeOrphans = true): { commands: Command[] } {
  const sts = getObject(state, 'StatefulSet', namespace, name);
  if (!sts) return { commands: [] };
  const commands: Command[] = [];
  let selector;
  try {
    selector = labelSelectorAsSelector(sts.spec?.selector);
  } catch {
    return { commands: [] };
  }

  const updateRevision = revisionName(sts);
  const revisions = revisionsOf(state, sts);
  if (!revisions.some((r) => r.metadata.name === updateRevision) && !sts.metadata.deletionTimestamp) {
    const revision: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: updateRevision,
        namespace,
        labels: { ...sts.spec?.selector?.matchLabels, [REVISION_HASH_LABEL]: updateRevision.slice(name.length + 1) },
        ownerReferences: [newControllerRef(sts)],
      },
      data: { spec: { template: { ...clonePlain(sts.spec.template), $patch: 'replace' } } },
      revision: ((revisions.at(-1)?.revision as number | undefined) ?? 0) + 1,
    };
    commands.push({ ...meta, type: 'create', object: revision });
  }
  const currentRevision: string = sts.status?.currentRevision ?? updateRevision;
  const templateAt = (revision: string) => {
    if (revision === updateRevision) return sts.spec.template;
    const stored = revisions.find((r) => r.metadata.name === revision)?.data as { spec?: { template?: any } } | undefined;
    if (!stored?.spec?.template) return sts.spec.template;
    const { $patch: _, ...template } = stored.spec.template;
    return template;
  };

  const pods = new Map<number, KubeObject>();
  const condemned: KubeObject[] = [];
  const start = startOrdinal(sts);
  const replicas: number = sts.spec?.replicas ?? 1;
  const owned = podsOwnedBy(state, sts.metadata.uid ?? '');
  for (const pod of includeOrphans ? listObjects(state, 'Pod', namespace) : []) {
    if (owned.includes(pod) || ordinalOf(sts, pod.metadata.name!) < 0) continue;
    if (claimVerdict(sts, pod, matches(selector, pod.metadata.labels)) === 'adopt') {
      commands.push({ ...meta, type: 'update', object: withControllerRef(pod, sts) });
      owned.push(pod);
    }
  }
  for (const pod of owned) {
    const ordinal = ordinalOf(sts, pod.metadata.name!);
    if (ordinal < 0) continue;
    if (ordinal >= start && ordinal < start + replicas) pods.set(ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(sts, b.metadata.name!) - ordinalOf(sts, a.metadata.name!));

  const status = computeStatus(sts, owned, currentRevision, updateRevision, state.time);
  if (!sts.metadata.deletionTimestamp) commands.push(...manage(state, sts, pods, condemned, currentRevision, updateRevision, templateAt, meta));

  const merged: Record<string, unknown> = { ...sts.status, ...status };
  if (!jsonEqual(sts.status ?? {}, merged)) {
    const object = clonePlain(sts);
    delete object.metadata.resourceVersion;
    object.status = merged;
    commands.push({ ...meta, type: 'update', subresource: 'status', object });
  }
  return { commands };
}

function manage(
  state: ClusterState,
  sts: KubeObject,
  pods: Map<number, KubeObject>,
  condemned: KubeObject[],
  currentRevision: string,
  updateRevision: string,
  templateAt: (revision: string) => any,
  meta: CommandMeta,
): Command[] {
  const commands: Command[] = [];
  const monotonic = (sts.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const start = startOrdinal(sts);
  const replicas: number = sts.spec?.replicas ?? 1;
  const rolling = (sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition: number = rolling ? (sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;

  for (let ordinal = start; ordinal < start + replicas; ordinal++) {
    const pod = pods.get(ordinal);
    if (pod && isFailed(pod) && !isTerminating(pod)) {
      commands.push(deletePod(pod, meta));
      if (monotonic) return commands;
      continue;
    }
    if (!pod) {
      for (const claim of podClaims(sts, podName(sts, ordinal))) {
        if (!getObject(state, 'PersistentVolumeClaim', claim.metadata.namespace, claim.metadata.name!)) commands.push({ ...meta, type: 'create', object: claim });
      }
      // Below the partition a recreated pod keeps the current revision (`newVersionedStatefulSetPod`).
      const revision = rolling && ordinal - start < partition ? currentRevision : !rolling ? currentRevision : updateRevision;
      commands.push({ ...meta, type: 'create', object: statefulPod(sts, templateAt(revision), revision, ordinal) });
      if (monotonic) return commands;
      continue;
    }
    if (isTerminating(pod)) {
      if (monotonic) return commands;
      continue;
    }
    if (!isRunningAndReady(pod) && monotonic) return commands;
  }

  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return commands;
      continue;
    }
    commands.push(deletePod(pod, meta));
    if (monotonic) return commands;
  }

  if (!rolling) return commands;
  for (let ordinal = start + replicas - 1; ordinal >= start + partition; ordinal--) {
    const pod = pods.get(ordinal);
    if (!pod) return commands;
    if (podRevision(pod) !== updateRevision && !isTerminating(pod)) {
      commands.push(deletePod(pod, meta));
      return commands;
    }
    if (!isRunningAndReady(pod)) return commands;
  }
  return commands;
}

/** `computeReplicaStatus` plus `completeRollingUpdate`. */
function computeStatus(sts: KubeObject, pods: KubeObject[], currentRevision: string, updateRevision: string, now: number): Record<string, unknown> {
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    if (ordinalOf(sts, pod.metadata.name!) < 0 || !isCreated(pod)) continue;
    replicas++;
    if (isRunningAndReady(pod) && !isTerminating(pod)) {
      ready++;
      if (isPodAvailable(pod, sts.spec?.minReadySeconds ?? 0, now)) available++;
    }
    if (isTerminating(pod)) continue;
    if (podRevision(pod) === currentRevision) current++;
    if (podRevision(pod) === updateRevision) updated++;
  }
  const status: Record<string, unknown> = {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision,
    collisionCount: sts.status?.collisionCount ?? 0,
    availableReplicas: available,
  };
  const desired: number = sts.spec?.replicas ?? 1;
  if ((sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && updated === desired && ready === desired && replicas === desired) {
    status.currentReplicas = updated;
    status.currentRevision = updateRevision;
  }
  return status;
}
