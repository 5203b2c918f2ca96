import { type Observable } from 'rxjs';
import { matches, selectorFromSet } from '../../../core/model/labels.ts';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { createPrng, hashSeed, randomSuffix } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { claimVerdict, controllerOf, newControllerRef, withControllerRef, withoutOwner } from '../replicaset/controller-ref.ts';
import { isPodActive, isPodAvailable, isPodReady } from '../replicaset/pod-availability.ts';
import { podsToDelete } from '../replicaset/pod-deletion-order.ts';
import { podsOwnedBy } from '../replicaset/pod-index.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { NO_OUTPUTS, emptyMap } from '../per-event.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const REPLICATION_CONTROLLER = 'replicationcontroller-controller';
const POD_REF_EVENTS = new Set(['PodScheduled', 'PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted', 'ObjectDeletionRequested', 'ObjectRemoved']);
const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);

/**
 * One reconcile of one ReplicationController: the ReplicaSet algorithm (Kubernetes runs the
 * ReplicaSet controller for RCs too) over an equality selector: claim pods, create or delete
 * towards spec.replicas with the ReplicaSet's deletion ranking, write the status.
 */
export function syncReplicationController(state: ClusterState, namespace: string, name: string, meta: CommandMeta, position: number, includeOrphans: boolean): Command[] {
  const rc = getObject(state, 'ReplicationController', namespace, name);
  if (!rc) return [];
  const commands: Command[] = [];
  const selector = selectorFromSet(rc.spec?.selector ?? {});
  const candidates = new Map<string, KubeObject>();
  for (const pod of podsOwnedBy(state, rc.metadata.uid ?? '')) candidates.set(pod.metadata.name!, pod);
  if (includeOrphans) for (const pod of listObjects(state, 'Pod', namespace)) candidates.set(pod.metadata.name!, pod);
  const claimed: KubeObject[] = [];
  for (const pod of [...candidates.values()].sort(byName)) {
    if (!isPodActive(pod)) continue;
    const verdict = claimVerdict(rc, pod, matches(selector, pod.metadata.labels));
    if (verdict === 'owned') claimed.push(pod);
    else if (verdict === 'adopt') {
      commands.push({ ...meta, type: 'update', object: withControllerRef(pod, rc) });
      claimed.push(pod);
    } else if (verdict === 'release') commands.push({ ...meta, type: 'update', object: withoutOwner(pod, rc.metadata.uid ?? '') });
  }

  const desired: number = rc.spec?.replicas ?? 1;
  if (!rc.metadata.deletionTimestamp && claimed.length < desired) {
    const prng = createPrng(hashSeed(state.seed, 'name', position, `${namespace}/${name}`));
    const template = rc.spec?.template ?? {};
    for (let i = claimed.length; i < desired; i++) {
      let podName: string;
      do podName = `${name}-${randomSuffix(prng)}`;
      while (getObject(state, 'Pod', namespace, podName) || commands.some((c) => c.type === 'create' && c.object.metadata.name === podName));
      const metadata: KubeObject['metadata'] = { name: podName, generateName: `${name}-`, namespace, labels: { ...template.metadata?.labels }, ownerReferences: [newControllerRef(rc)] };
      if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
      commands.push({ ...meta, type: 'create', object: { apiVersion: 'v1', kind: 'Pod', metadata, spec: clonePlain(template.spec ?? {}) } });
    }
  } else if (!rc.metadata.deletionTimestamp && claimed.length > desired) {
    for (const pod of podsToDelete(claimed, claimed, claimed.length - desired, state.time)) {
      commands.push({ ...meta, type: 'delete', ref: { kind: 'Pod', namespace, name: pod.metadata.name!, uid: pod.metadata.uid! }, preconditions: { uid: pod.metadata.uid! } });
    }
  }

  const templateLabels = selectorFromSet(rc.spec?.template?.metadata?.labels ?? {});
  const minReadySeconds: number = rc.spec?.minReadySeconds ?? 0;
  const status = {
    replicas: claimed.length,
    fullyLabeledReplicas: claimed.filter((p) => matches(templateLabels, p.metadata.labels)).length,
    readyReplicas: claimed.filter(isPodReady).length,
    availableReplicas: claimed.filter((p) => isPodAvailable(p, minReadySeconds, state.time)).length,
    observedGeneration: rc.metadata.generation ?? 1,
  };
  if (!jsonEqual(rc.status ?? {}, status)) {
    const object = clonePlain(rc);
    delete object.metadata.resourceVersion;
    object.status = status;
    commands.push({ ...meta, type: 'update', subresource: 'status', object });
  }
  return commands;
}

/** The ReplicationController controller: an RC is reconciled when it changes or one of its pods does. */
export function createReplicationControllerController(): Controller {
  return {
    name: REPLICATION_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectStatusReplaced', ...POD_REF_EVENTS], kinds: ['ReplicationController', 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const podOwner = new Map<string, string>();
      let started = false;
      let keys = new Map<string, boolean>();

      /** The RCs a pod event concerns: its controller now and when last seen, and on a create or update of an orphan the RCs selecting it (to adopt it). */
      function routePod(state: ClusterState, ref: ObjectRef, type: string, keys: Map<string, boolean>): void {
        const pod = getObject(state, 'Pod', ref.namespace, ref.name);
        const owner = pod ? controllerOf(pod) : undefined;
        const mayAdopt = !!pod && !owner && (type === 'ObjectCreated' || type === 'ObjectReplaced');
        // A pod no RC controls, now or when last seen (no pod is remembered), and no RC to adopt it: nothing to do.
        if (podOwner.size === 0 && owner?.kind !== 'ReplicationController' && (!mayAdopt || !state.objects.get('ReplicationController')?.size)) return;
        const podKey = `${ref.namespace}/${ref.name}`;
        const previous = podOwner.get(podKey);
        if (previous) keys.set(previous, keys.get(previous) ?? false);
        if (owner?.kind === 'ReplicationController') {
          const key = `${ref.namespace}/${owner.name}`;
          podOwner.set(podKey, key);
          keys.set(key, keys.get(key) ?? false);
        } else {
          podOwner.delete(podKey);
          if (mayAdopt) {
            for (const rc of listObjects(state, 'ReplicationController', ref.namespace)) {
              if (matches(selectorFromSet(rc.spec?.selector ?? {}), pod!.metadata.labels)) keys.set(`${ref.namespace}/${rc.metadata.name}`, true);
            }
          }
        }
      }

      return input$.pipe(
        reconcileEach(({ event, state }) => {
          keys = emptyMap(keys);
          if (!started) {
            started = true;
            for (const rc of listObjects(state, 'ReplicationController')) keys.set(`${rc.metadata.namespace}/${rc.metadata.name}`, true);
          }
          let ref: ObjectRef | undefined;
          if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
            const object: KubeObject = event.data.object;
            ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
          } else if (POD_REF_EVENTS.has(event.type) || event.type === 'ObjectStatusReplaced') ref = (event.data as { ref: ObjectRef }).ref;
          if (ref?.kind === 'ReplicationController' && !(event.type === 'ObjectStatusReplaced' && event.metadata.actor === REPLICATION_CONTROLLER)) keys.set(`${ref.namespace}/${ref.name}`, true);
          else if (ref?.kind === 'Pod') routePod(state, ref, event.type, keys);
          if (keys.size === 0) return NO_OUTPUTS;
          const meta = commandMetaFor(REPLICATION_CONTROLLER, event);
          return [...keys.keys()].sort().flatMap((key) => {
            const slash = key.indexOf('/');
            return syncReplicationController(state, key.slice(0, slash), key.slice(slash + 1), meta, event.position, keys.get(key)!);
          });
        }),
      );
    },
  };
}
