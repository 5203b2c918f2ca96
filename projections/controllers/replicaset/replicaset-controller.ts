import { type Observable, mergeMap } from 'rxjs';
import type { StoredEvent } from '../../../core/events.ts';
import { type KubeObject, objectKey } from '../../../core/model/object.ts';
import { matches } from '../../../core/model/labels.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { CommandMeta } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from './controller-ref.ts';
import { createExpectations } from './expectations.ts';
import { isPodActive } from './pod-availability.ts';
import { replicaSetSelector, siblingReplicaSets, splitKey, syncReplicaSet, wantsMorePods } from './sync-replicaset.ts';

export const REPLICASET_CONTROLLER = 'replicaset-controller';

/** Event types that may change what a ReplicaSet counts (PodUnschedulable changes nothing it reads). */
const POD_STATUS_EVENTS = new Set(['PodScheduled', 'PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted']);
const OBJECT_REF_EVENTS = new Set(['ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved']);

/**
 * The order to reconcile ReplicaSets in for one input. The live state may already hold a
 * Deployment's later decisions (old ReplicaSet scaled down, new one scaled up) whose events this
 * controller has not reached yet; creating the new pods before deleting the old would overshoot
 * maxSurge in actual pods. So a ReplicaSet about to grow brings its siblings along, and every
 * ReplicaSet that does not grow is reconciled (its deletions issued) before any that does.
 */
function syncOrder(state: ClusterState, keys: Set<string>): string[] {
  const all = new Set(keys);
  const growing = new Set<string>();
  for (const key of keys) {
    const [namespace, name] = splitKey(key);
    const rs = getObject(state, 'ReplicaSet', namespace, name);
    if (!rs || !wantsMorePods(state, rs)) continue;
    growing.add(key);
    for (const sibling of siblingReplicaSets(state, rs)) {
      const siblingKey = objectKey(sibling.metadata.namespace, sibling.metadata.name!);
      all.add(siblingKey);
      if (wantsMorePods(state, sibling)) growing.add(siblingKey);
    }
  }
  const sorted = [...all].sort();
  return [...sorted.filter((key) => !growing.has(key)), ...sorted.filter((key) => growing.has(key))];
}

/**
 * The ReplicaSet controller. Each input names the ReplicaSets it may concern (the one it is about,
 * a pod's owner before and after, the ReplicaSets whose selector an orphan pod matches, those whose
 * availability timer fell due); each is then reconciled from the live state, level-based.
 */
export function createReplicaSetController(): Controller {
  return {
    name: REPLICASET_CONTROLLER,
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const expectations = createExpectations();
      /** pod `ns/name` → its ReplicaSet's `ns/name`, so a removed pod still reaches its owner. */
      const podOwner = new Map<string, string>();
      const timers = new Map<string, number>();
      let started = false;

      function routePod(state: ClusterState, podKey: string, namespace: string, name: string, labelsMayHaveChanged: boolean, keys: Set<string>): void {
        const previous = podOwner.get(podKey);
        if (previous) keys.add(previous);
        const pod = getObject(state, 'Pod', namespace, name);
        if (!pod) {
          podOwner.delete(podKey);
          return;
        }
        const owner = controllerOf(pod);
        if (owner) {
          if (owner.kind === 'ReplicaSet') {
            const rsKey = objectKey(namespace, owner.name);
            podOwner.set(podKey, rsKey);
            keys.add(rsKey);
          } else podOwner.delete(podKey);
          return;
        }
        podOwner.delete(podKey);
        if (labelsMayHaveChanged && isPodActive(pod)) {
          for (const rs of listObjects(state, 'ReplicaSet', namespace)) {
            if (matches(replicaSetSelector(rs), pod.metadata.labels)) keys.add(objectKey(namespace, rs.metadata.name!));
          }
        }
      }

      function affected(event: StoredEvent, state: ClusterState): Set<string> {
        const keys = new Set<string>();
        if (!started) {
          started = true;
          for (const rs of listObjects(state, 'ReplicaSet')) keys.add(objectKey(rs.metadata.namespace, rs.metadata.name!));
        }
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          const namespace = object.metadata.namespace ?? '';
          const key = objectKey(namespace, object.metadata.name!);
          if (object.kind === 'ReplicaSet') keys.add(key);
          else if (object.kind === 'Pod') {
            if (event.type === 'ObjectCreated') expectations.creationObserved(key);
            routePod(state, key, namespace, object.metadata.name!, true, keys);
          }
        } else if (OBJECT_REF_EVENTS.has(event.type) || POD_STATUS_EVENTS.has(event.type)) {
          const ref = (event.data as { ref: { kind: string; namespace?: string; name: string } }).ref;
          const namespace = ref.namespace ?? '';
          const key = objectKey(namespace, ref.name);
          if (ref.kind === 'ReplicaSet') {
            keys.add(key);
            if (event.type === 'ObjectRemoved') timers.delete(key);
          } else if (ref.kind === 'Pod') routePod(state, key, namespace, ref.name, false, keys);
        }
        for (const [key, time] of timers) {
          if (time <= state.time) {
            timers.delete(key);
            keys.add(key);
          }
        }
        return keys;
      }

      function handle({ event, state }: ReconcileInput): ControllerOutput[] {
        const keys = affected(event, state);
        if (keys.size === 0) return [];
        const meta: CommandMeta = { actor: REPLICASET_CONTROLLER, causationId: event.position };
        if (event.metadata.correlationId !== undefined) meta.correlationId = event.metadata.correlationId;
        const outputs: ControllerOutput[] = [];
        for (const key of syncOrder(state, keys)) {
          const result = syncReplicaSet(key, { state, now: state.time, position: event.position, meta, expectations });
          outputs.push(...result.commands);
          if (result.wakeAt !== undefined && timers.get(key) !== result.wakeAt) {
            timers.set(key, result.wakeAt);
            outputs.push({ type: 'wakeAt', time: result.wakeAt });
          }
        }
        return outputs;
      }

      return input$.pipe(mergeMap(handle));
    },
  };
}
