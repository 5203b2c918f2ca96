import { type Observable } from 'rxjs';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { NO_OUTPUTS, emptySet } from '../per-event.ts';
import { syncJob } from './sync-job.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const JOB_CONTROLLER = 'job-controller';

const POD_REF_EVENTS = new Set(['PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted', 'ObjectDeletionRequested', 'ObjectRemoved']);

/**
 * The Job controller (and the TTL-after-finished controller's one duty): a Job is reconciled when it
 * changes, when one of its pods does, and when a timer it asked for (backoff, deadline, TTL) falls due.
 */
export function createJobController(): Controller {
  return {
    name: JOB_CONTROLLER,
    // Its timers are wakes it asked for, which the engine hands it when due.
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectStatusReplaced', ...POD_REF_EVENTS], kinds: ['Job', 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const podOwner = new Map<string, string>();
      const timers = new Map<string, number>();
      let started = false;
      let keys = new Set<string>();

      function affected(event: ReconcileInput['event'], state: ReconcileInput['state']): Set<string> {
        keys = emptySet(keys);
        if (!started) {
          started = true;
          for (const job of listObjects(state, 'Job')) keys.add(`${job.metadata.namespace}/${job.metadata.name}`);
        }
        let ref: ObjectRef | undefined;
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
        } else if (POD_REF_EVENTS.has(event.type) || event.type === 'ObjectStatusReplaced') ref = (event.data as { ref: ObjectRef }).ref;
        if (ref?.kind === 'Job') {
          // Its own status writes need no sync; anyone else's is put right by one.
          if (event.type === 'ObjectStatusReplaced' && event.metadata.actor === JOB_CONTROLLER) return keysDue(keys, state);
          keys.add(`${ref.namespace}/${ref.name}`);
          if (event.type === 'ObjectRemoved') timers.delete(`${ref.namespace}/${ref.name}`);
        } else if (ref?.kind === 'Pod') {
          const pod = getObject(state, 'Pod', ref.namespace, ref.name);
          const owner = pod ? controllerOf(pod) : undefined;
          // A pod no Job controls, now or when last seen (no pod is remembered): nothing to route or forget.
          if (podOwner.size === 0 && owner?.kind !== 'Job') return keysDue(keys, state);
          const podKey = `${ref.namespace}/${ref.name}`;
          const previous = podOwner.get(podKey);
          if (previous) keys.add(previous);
          if (owner?.kind === 'Job') {
            podOwner.set(podKey, `${ref.namespace}/${owner.name}`);
            keys.add(`${ref.namespace}/${owner.name}`);
          } else podOwner.delete(podKey);
        }
        return keysDue(keys, state);
      }

      /** `keys` with the Jobs whose timer fell due (their timers spent). */
      function keysDue(keys: Set<string>, state: ReconcileInput['state']): Set<string> {
        if (timers.size === 0) return keys;
        for (const [key, time] of timers) {
          if (time <= state.time) {
            timers.delete(key);
            keys.add(key);
          }
        }
        return keys;
      }

      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const keys = affected(event, state);
          if (keys.size === 0) return NO_OUTPUTS;
          const meta = commandMetaFor(JOB_CONTROLLER, event);
          const outputs: ControllerOutput[] = [];
          for (const key of [...keys].sort()) {
            const slash = key.indexOf('/');
            const result = syncJob(state, key.slice(0, slash), key.slice(slash + 1), meta, event.position);
            outputs.push(...result.commands);
            if (result.wakeAt !== undefined && timers.get(key) !== result.wakeAt) {
              timers.set(key, result.wakeAt);
              outputs.push({ type: 'wakeAt', time: result.wakeAt });
            }
          }
          return outputs;
        }),
      );
    },
  };
}
