import { type Observable } from 'rxjs';
import type { StoredEvent } from '../../../core/events.ts';
import { labelSelectorMatches } from '../../../core/model/labels.ts';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { NO_OUTPUTS, emptySet } from '../per-event.ts';
import { syncDaemonSet } from './sync-daemonset.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const DAEMONSET_CONTROLLER = 'daemonset-controller';

const NODE_EVENTS = new Set(['NodeRegistered', 'NodeUnschedulableChanged', 'NodeTaintsChanged']);
const POD_REF_EVENTS = new Set(['PodScheduled', 'PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted', 'ObjectDeletionRequested', 'ObjectRemoved', 'ObjectStatusReplaced']);

/**
 * The DaemonSet controller. An input names the DaemonSets it may concern: the DaemonSet itself,
 * every DaemonSet when a node joins, leaves or changes its labels or taints, a pod's owner (before
 * and after), DaemonSets whose selector an orphan pod matches, and those whose availability timer
 * fell due. Each is then reconciled from the live state.
 */
export function createDaemonSetController(): Controller {
  return {
    name: DAEMONSET_CONTROLLER,
    // Its timers are wakes it asked for, which the engine hands it when due.
    interest: { events: ['ObjectCreated', 'ObjectReplaced', ...POD_REF_EVENTS, ...NODE_EVENTS], kinds: ['DaemonSet', 'Node', 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const podOwner = new Map<string, string>();
      /** DaemonSets an orphan pod may concern in the input being handled: only their syncs look for pods to adopt. */
      const adopting = new Set<string>();
      const timers = new Map<string, number>();
      let started = false;
      let keys = new Set<string>();

      const allDaemonSets = (state: ClusterState, keys: Set<string>) => {
        for (const ds of listObjects(state, 'DaemonSet')) keys.add(`${ds.metadata.namespace}/${ds.metadata.name}`);
      };

      function routePod(state: ClusterState, ref: ObjectRef, keys: Set<string>): void {
        const pod = getObject(state, 'Pod', ref.namespace, ref.name);
        const owner = pod ? controllerOf(pod) : undefined;
        // A pod no DaemonSet controls, now or when last seen (no pod is remembered), and no DaemonSet to adopt it: nothing to do.
        if (podOwner.size === 0 && owner?.kind !== 'DaemonSet' && (!pod || owner || !state.objects.get('DaemonSet')?.size)) return;
        const podKey = `${ref.namespace}/${ref.name}`;
        const previous = podOwner.get(podKey);
        if (previous) keys.add(previous);
        if (!pod) {
          podOwner.delete(podKey);
          return;
        }
        if (owner?.kind === 'DaemonSet') {
          const key = `${ref.namespace}/${owner.name}`;
          podOwner.set(podKey, key);
          keys.add(key);
        } else if (!owner) {
          for (const ds of listObjects(state, 'DaemonSet', ref.namespace)) {
            if (labelSelectorMatches(ds.spec?.selector, pod.metadata.labels)) {
              keys.add(`${ref.namespace}/${ds.metadata.name}`);
              adopting.add(`${ref.namespace}/${ds.metadata.name}`);
            }
          }
        }
      }

      function affected(event: StoredEvent, state: ClusterState): Set<string> {
        keys = emptySet(keys);
        if (!started) {
          started = true;
          allDaemonSets(state, keys);
          for (const key of keys) adopting.add(key);
        }
        if (NODE_EVENTS.has(event.type)) allDaemonSets(state, keys);
        let ref: ObjectRef | undefined;
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
        } else if (POD_REF_EVENTS.has(event.type)) ref = (event.data as { ref: ObjectRef }).ref;
        if (ref?.kind === 'DaemonSet') {
          keys.add(`${ref.namespace}/${ref.name}`);
          adopting.add(`${ref.namespace}/${ref.name}`);
          if (event.type === 'ObjectRemoved') timers.delete(`${ref.namespace}/${ref.name}`);
        } else if (ref?.kind === 'Node' && event.type !== 'ObjectStatusReplaced') allDaemonSets(state, keys);
        else if (ref?.kind === 'Pod') routePod(state, ref, keys);
        if (timers.size === 0) return keys;
        for (const [key, time] of timers) {
          if (time <= state.time) {
            timers.delete(key);
            keys.add(key);
          }
        }
        return keys;
      }

      function handle({ event, state }: ReconcileInput): readonly ControllerOutput[] {
        const keys = affected(event, state);
        if (keys.size === 0) return NO_OUTPUTS;
        const meta = commandMetaFor(DAEMONSET_CONTROLLER, event);
        const outputs: ControllerOutput[] = [];
        for (const key of [...keys].sort()) {
          const slash = key.indexOf('/');
          const result = syncDaemonSet(state, key.slice(0, slash), key.slice(slash + 1), meta, event.position, adopting.has(key));
          outputs.push(...result.commands);
          if (result.wakeAt !== undefined && timers.get(key) !== result.wakeAt) {
            timers.set(key, result.wakeAt);
            outputs.push({ type: 'wakeAt', time: result.wakeAt });
          }
        }
        adopting.clear();
        return outputs;
      }

      return input$.pipe(reconcileEach(handle));
    },
  };
}
