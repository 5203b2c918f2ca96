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
import { isPodActive, isPodReady, podReadySince } from './pod-availability.ts';
import { type SyncResult, replicaSetSelector, siblingReplicaSets, splitKey, syncReplicaSet } from './sync-replicaset.ts';

export const REPLICASET_CONTROLLER = 'replicaset-controller';

/** Event types that may change what a ReplicaSet counts (PodUnschedulable changes nothing it reads). */
const POD_STATUS_EVENTS = new Set(['PodScheduled', 'PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted']);
const OBJECT_REF_EVENTS = new Set(['ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved']);

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

      /** ReplicaSet key → whether its sync must look for orphans too (not needed for its own pods' status changes). */
      type Keys = Map<string, boolean>;
      const add = (keys: Keys, key: string, includeOrphans: boolean) => keys.set(key, includeOrphans || keys.get(key) === true);

      /**
       * pod `ns/name` → what its ReplicaSet's status counts of it (active, ready, since when). A pod
       * status event that leaves this unchanged (scheduling, a phase change that keeps it active, a
       * container starting unready) cannot change the ReplicaSet, so it is not reconciled for it.
       */
      const countedAs = new Map<string, string>();

      function routePod(state: ClusterState, podKey: string, namespace: string, name: string, labelsMayHaveChanged: boolean, keys: Keys, statusOnly = false): void {
        const previous = podOwner.get(podKey);
        const pod = getObject(state, 'Pod', namespace, name);
        if (!pod) {
          if (previous) add(keys, previous, false);
          podOwner.delete(podKey);
          countedAs.delete(podKey);
          return;
        }
        const counted = `${isPodActive(pod)}|${podReadySince(pod) ?? isPodReady(pod)}`;
        const unchanged = countedAs.get(podKey) === counted;
        countedAs.set(podKey, counted);
        if (statusOnly && unchanged && previous) return;
        if (previous) add(keys, previous, false);
        const owner = controllerOf(pod);
        if (owner) {
          if (owner.kind === 'ReplicaSet') {
            const rsKey = objectKey(namespace, owner.name);
            podOwner.set(podKey, rsKey);
            add(keys, rsKey, false);
          } else podOwner.delete(podKey);
          return;
        }
        podOwner.delete(podKey);
        if (labelsMayHaveChanged && isPodActive(pod)) {
          for (const rs of listObjects(state, 'ReplicaSet', namespace)) {
            if (matches(replicaSetSelector(rs), pod.metadata.labels)) add(keys, objectKey(namespace, rs.metadata.name!), true);
          }
        }
      }

      function affected(event: StoredEvent, state: ClusterState): Keys {
        const keys: Keys = new Map();
        if (!started) {
          started = true;
          for (const rs of listObjects(state, 'ReplicaSet')) add(keys, objectKey(rs.metadata.namespace, rs.metadata.name!), true);
        }
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          const namespace = object.metadata.namespace ?? '';
          const key = objectKey(namespace, object.metadata.name!);
          if (object.kind === 'ReplicaSet') add(keys, key, true);
          else if (object.kind === 'Pod') {
            if (event.type === 'ObjectCreated') expectations.creationObserved(key);
            routePod(state, key, namespace, object.metadata.name!, true, keys);
          }
        } else if (OBJECT_REF_EVENTS.has(event.type) || POD_STATUS_EVENTS.has(event.type)) {
          const ref = (event.data as { ref: { kind: string; namespace?: string; name: string } }).ref;
          const namespace = ref.namespace ?? '';
          const key = objectKey(namespace, ref.name);
          if (ref.kind === 'ReplicaSet') {
            add(keys, key, true);
            if (event.type === 'ObjectRemoved') timers.delete(key);
          } else if (ref.kind === 'Pod') routePod(state, key, namespace, ref.name, false, keys, POD_STATUS_EVENTS.has(event.type));
        }
        for (const [key, time] of timers) {
          if (time <= state.time) {
            timers.delete(key);
            add(keys, key, false);
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
        const synced = new Set<string>();
        const sync = (key: string, includeOrphans: boolean): SyncResult => {
          synced.add(key);
          const result = syncReplicaSet(key, { state, now: state.time, position: event.position, meta, expectations }, includeOrphans);
          if (result.wakeAt !== undefined && timers.get(key) !== result.wakeAt) {
            timers.set(key, result.wakeAt);
            outputs.push({ type: 'wakeAt', time: result.wakeAt });
          }
          return result;
        };
        for (const key of [...keys.keys()].sort()) {
          if (synced.has(key)) continue;
          const result = sync(key, keys.get(key)!);
          if (result.commands.some((c) => c.type === 'create')) {
            // The live state may already hold a Deployment's later decisions (old ReplicaSet scaled
            // down, new one up) whose events this controller has not reached: issue the siblings'
            // deletions before these creates, or actual pods would overshoot maxSurge.
            const [namespace, name] = splitKey(key);
            const rs = getObject(state, 'ReplicaSet', namespace, name);
            const growing: SyncResult[] = [];
            for (const sibling of rs ? siblingReplicaSets(state, rs) : []) {
              const siblingKey = objectKey(sibling.metadata.namespace, sibling.metadata.name!);
              if (synced.has(siblingKey)) continue;
              const siblingResult = sync(siblingKey, false);
              if (siblingResult.commands.some((c) => c.type === 'create')) growing.push(siblingResult);
              else outputs.push(...siblingResult.commands);
            }
            for (const siblingResult of growing) outputs.push(...siblingResult.commands);
          }
          outputs.push(...result.commands);
        }
        return outputs;
      }

      return input$.pipe(mergeMap(handle));
    },
  };
}
