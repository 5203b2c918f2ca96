import { type Observable } from 'rxjs';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { NO_OUTPUTS, emptySet } from '../per-event.ts';
import { syncStatefulSet } from './sync-statefulset.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const STATEFULSET_CONTROLLER = 'statefulset-controller';

const POD_REF_EVENTS = new Set(['PodScheduled', 'PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted', 'ObjectDeletionRequested', 'ObjectRemoved']);

/** The StatefulSet controller: a StatefulSet is reconciled when it changes or one of its pods does. */
export function createStatefulSetController(): Controller {
  return {
    name: STATEFULSET_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectStatusReplaced', ...POD_REF_EVENTS], kinds: ['StatefulSet', 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const podOwner = new Map<string, string>();
      /** StatefulSets whose sync for the input being handled looks for pods to adopt. */
      const adopting = new Set<string>();
      let started = false;
      let keys = new Set<string>();

      function affected(event: ReconcileInput['event'], state: ClusterState): Set<string> {
        keys = emptySet(keys);
        if (!started) {
          started = true;
          for (const sts of listObjects(state, 'StatefulSet')) keys.add(`${sts.metadata.namespace}/${sts.metadata.name}`);
          for (const key of keys) adopting.add(key);
        }
        let ref: ObjectRef | undefined;
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
        } else if (POD_REF_EVENTS.has(event.type) || event.type === 'ObjectStatusReplaced') ref = (event.data as { ref: ObjectRef }).ref;
        if (!ref) return keys;
        if (ref.kind === 'StatefulSet' && !(event.type === 'ObjectStatusReplaced' && event.metadata.actor === STATEFULSET_CONTROLLER)) {
          keys.add(`${ref.namespace}/${ref.name}`);
          adopting.add(`${ref.namespace}/${ref.name}`);
        }
        else if (ref.kind === 'Pod') {
          const pod = getObject(state, 'Pod', ref.namespace, ref.name);
          const owner = pod ? controllerOf(pod) : undefined;
          // A pod no StatefulSet controls, now or when last seen (no pod is remembered), and none to adopt it: nothing to do.
          if (podOwner.size === 0 && owner?.kind !== 'StatefulSet' && (owner || !pod || event.type !== 'ObjectCreated' || !state.objects.get('StatefulSet')?.size)) return keys;
          const podKey = `${ref.namespace}/${ref.name}`;
          const previous = podOwner.get(podKey);
          if (previous) keys.add(previous);
          if (owner?.kind === 'StatefulSet') {
            podOwner.set(podKey, `${ref.namespace}/${owner.name}`);
            keys.add(`${ref.namespace}/${owner.name}`);
          } else podOwner.delete(podKey);
          if (pod && !owner && event.type === 'ObjectCreated') {
            for (const sts of listObjects(state, 'StatefulSet', ref.namespace)) {
              if (!ref.name.startsWith(`${sts.metadata.name}-`)) continue;
              keys.add(`${ref.namespace}/${sts.metadata.name}`);
              adopting.add(`${ref.namespace}/${sts.metadata.name}`);
            }
          }
        }
        return keys;
      }

      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const keys = affected(event, state);
          if (keys.size === 0) return NO_OUTPUTS;
          const adopt = new Set(adopting);
          adopting.clear();
          const meta = commandMetaFor(STATEFULSET_CONTROLLER, event);
          return [...keys].sort().flatMap((key) => {
            const slash = key.indexOf('/');
            return syncStatefulSet(state, key.slice(0, slash), key.slice(slash + 1), meta, adopt.has(key)).commands;
          });
        }),
      );
    },
  };
}
