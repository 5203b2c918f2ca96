import { type Observable } from 'rxjs';
import { labelSelectorMatches } from '../../../core/model/labels.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { quantityToValue } from '../scheduler/resource-quantity.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const PERSISTENT_VOLUME_CONTROLLER = 'persistentvolume-binder-controller';
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

const RELEVANT = new Set(['PersistentVolume', 'PersistentVolumeClaim', 'StorageClass']);

const storageOf = (list: any) => (list?.storage !== undefined ? quantityToValue(list.storage) : 0);
const classOf = (object: KubeObject) => object.spec?.storageClassName ?? '';
const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);

function updated(object: KubeObject, change: (copy: KubeObject) => void, meta: CommandMeta, subresource?: 'status'): Command {
  const copy = clonePlain(object);
  delete copy.metadata.resourceVersion;
  change(copy);
  return subresource ? { ...meta, type: 'update', subresource, object: copy } : { ...meta, type: 'update', object: copy };
}

/** `findMatchingVolume`: an unclaimed (or pre-bound to this claim) volume of the claim's class, modes and size; the smallest that fits. */
function matchingVolume(claim: KubeObject, volumes: KubeObject[], taken: Set<string>): KubeObject | undefined {
  const request = storageOf(claim.spec?.resources?.requests);
  const modes: string[] = claim.spec?.accessModes ?? [];
  const candidates = volumes.filter((pv) => {
    if (taken.has(pv.metadata.name!) || pv.metadata.deletionTimestamp) return false;
    const ref = pv.spec?.claimRef;
    if (ref && !(ref.namespace === claim.metadata.namespace && ref.name === claim.metadata.name && (!ref.uid || ref.uid === claim.metadata.uid))) return false;
    if (!ref && pv.status?.phase !== 'Available' && pv.status?.phase !== 'Pending') return false;
    if (classOf(pv) !== classOf(claim)) return false;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
    if (!modes.every((m) => (pv.spec?.accessModes ?? []).includes(m))) return false;
    if (storageOf(pv.spec?.capacity) < request) return false;
    if (claim.spec?.selector && !labelSelectorMatches(claim.spec.selector, pv.metadata.labels)) return false;
    return true;
  });
  candidates.sort((a, b) => storageOf(a.spec.capacity) - storageOf(b.spec.capacity) || byName(a, b));
  return candidates[0];
}

/** Whether a scheduled pod uses the claim (WaitForFirstConsumer provisions only then). */
function hasScheduledConsumer(state: ClusterState, claim: KubeObject): boolean {
  return listObjects(state, 'Pod', claim.metadata.namespace).some(
    (pod) => pod.spec?.nodeName && (pod.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim.metadata.name),
  );
}

/**
 * One pass of the PersistentVolume controller over every volume and claim (pkg/controller/volume/
 * persistentvolume): volumes become Available, bind pending claims to the smallest matching volume
 * (or provision one from the claim's StorageClass: `pvc-<claim uid>`, Immediate at once,
 * WaitForFirstConsumer once a pod using the claim is scheduled), and are Released when their claim
 * goes, then deleted under the Delete reclaim policy.
 */
export function syncVolumes(state: ClusterState, meta: CommandMeta): Command[] {
  const commands: Command[] = [];
  const volumes = listObjects(state, 'PersistentVolume').sort(byName);
  const taken = new Set<string>();

  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') commands.push(updated(pv, (c) => (c.status = { ...c.status, phase: 'Available' }), meta, 'status'));
      continue;
    }
    const claim = getObject(state, 'PersistentVolumeClaim', ref.namespace, ref.name);
    if (ref.uid && (!claim || claim.metadata.uid !== ref.uid)) {
      taken.add(pv.metadata.name!);
      if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
        commands.push({ ...meta, type: 'delete', ref: { kind: 'PersistentVolume', name: pv.metadata.name! }, preconditions: { uid: pv.metadata.uid! } });
      } else if (pv.status?.phase !== 'Released') commands.push(updated(pv, (c) => (c.status = { ...c.status, phase: 'Released' }), meta, 'status'));
      continue;
    }
    if (claim?.spec?.volumeName === pv.metadata.name) {
      taken.add(pv.metadata.name!);
      if (pv.status?.phase !== 'Bound') commands.push(updated(pv, (c) => (c.status = { ...c.status, phase: 'Bound' }), meta, 'status'));
    }
  }

  const claims = listObjects(state, 'PersistentVolumeClaim').sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || byName(a, b));
  for (const claim of claims) {
    if (claim.metadata.deletionTimestamp) continue;
    if (claim.spec?.volumeName) {
      const pv = getObject(state, 'PersistentVolume', undefined, claim.spec.volumeName);
      if (pv && claim.status?.phase !== 'Bound' && (!pv.spec?.claimRef || pv.spec.claimRef.uid === claim.metadata.uid)) {
        if (!pv.spec?.claimRef) commands.push(...bindVolume(pv, claim, meta));
        commands.push(claimBoundStatus(claim, pv, meta));
      }
      continue;
    }
    const pv = matchingVolume(claim, volumes, taken);
    if (pv) {
      taken.add(pv.metadata.name!);
      commands.push(...bindVolume(pv, claim, meta));
      commands.push(
        updated(claim, (c) => {
          c.spec.volumeName = pv.metadata.name;
          c.metadata.annotations = { ...c.metadata.annotations, [BIND_COMPLETED]: 'yes', [BOUND_BY_CONTROLLER]: 'yes' };
        }, meta),
      );
      commands.push(claimBoundStatus(claim, pv, meta));
      continue;
    }
    const storageClass = claim.spec?.storageClassName ? getObject(state, 'StorageClass', undefined, claim.spec.storageClassName) : undefined;
    if (!storageClass || storageClass.provisioner === 'kubernetes.io/no-provisioner') continue;
    if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !hasScheduledConsumer(state, claim)) continue;
    const name = `pvc-${claim.metadata.uid}`;
    if (getObject(state, 'PersistentVolume', undefined, name)) continue;
    commands.push({
      ...meta,
      type: 'create',
      object: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, annotations: { [PROVISIONED_BY]: storageClass.provisioner as string } },
        spec: {
          capacity: { storage: claim.spec.resources.requests.storage },
          accessModes: [...(claim.spec.accessModes ?? [])],
          persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
          storageClassName: storageClass.metadata.name,
          volumeMode: claim.spec.volumeMode ?? 'Filesystem',
          claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
          hostPath: { path: `/var/lib/orrery/volumes/${name}` },
        },
      },
    });
  }
  return commands;
}

function bindVolume(pv: KubeObject, claim: KubeObject, meta: CommandMeta): Command[] {
  return [
    updated(pv, (c) => {
      c.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid };
      c.metadata.annotations = { ...c.metadata.annotations, [BOUND_BY_CONTROLLER]: 'yes' };
    }, meta),
    updated(pv, (c) => (c.status = { ...c.status, phase: 'Bound' }), meta, 'status'),
  ];
}

function claimBoundStatus(claim: KubeObject, pv: KubeObject, meta: CommandMeta): Command {
  return updated(claim, (c) => (c.status = { phase: 'Bound', accessModes: [...(pv.spec?.accessModes ?? [])], capacity: { ...pv.spec?.capacity } }), meta, 'status');
}

/** The PersistentVolume controller: one pass over volumes and claims whenever one of them, a StorageClass, or a scheduled pod with claims changes. */
export function createPersistentVolumeController(): Controller {
  return {
    name: PERSISTENT_VOLUME_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved', 'PodScheduled'], kinds: [...RELEVANT, 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      let started = false;
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          let relevant = !started;
          started = true;
          if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') relevant ||= RELEVANT.has(event.data.object.kind);
          else if (event.type === 'ObjectRemoved' || event.type === 'ObjectStatusReplaced' || event.type === 'ObjectDeletionRequested') relevant ||= RELEVANT.has(event.data.ref.kind);
          else if (event.type === 'PodScheduled') {
            const pod = getObject(state, 'Pod', event.data.ref.namespace, event.data.ref.name);
            relevant ||= (pod?.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim);
          }
          if (!relevant) return [];
          const meta = commandMetaFor(PERSISTENT_VOLUME_CONTROLLER, event);
          return syncVolumes(state, meta);
        }),
      );
    },
  };
}
