import { type Observable } from 'rxjs';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { syncCronJob } from './sync-cronjob.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const CRONJOB_CONTROLLER = 'cronjob-controller';

const REF_EVENTS = new Set(['ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved']);

/** The CronJob controller: a CronJob is reconciled when it or one of its Jobs changes, and at its next scheduled time. */
export function createCronJobController(): Controller {
  return {
    name: CRONJOB_CONTROLLER,
    // Its schedule timers are wakes it asked for, which the engine hands it when due.
    interest: { events: ['ObjectCreated', 'ObjectReplaced', ...REF_EVENTS], kinds: ['CronJob', 'Job'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const jobOwner = new Map<string, string>();
      const timers = new Map<string, number>();
      let started = false;

      function affected(event: ReconcileInput['event'], state: ReconcileInput['state']): Set<string> {
        const keys = new Set<string>();
        if (!started) {
          started = true;
          for (const cronJob of listObjects(state, 'CronJob')) keys.add(`${cronJob.metadata.namespace}/${cronJob.metadata.name}`);
        }
        let ref: ObjectRef | undefined;
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
        } else if (REF_EVENTS.has(event.type)) ref = (event.data as { ref: ObjectRef }).ref;
        if (ref?.kind === 'CronJob' && !(event.type === 'ObjectStatusReplaced' && event.metadata.actor === CRONJOB_CONTROLLER)) {
          keys.add(`${ref.namespace}/${ref.name}`);
          if (event.type === 'ObjectRemoved') timers.delete(`${ref.namespace}/${ref.name}`);
        } else if (ref?.kind === 'Job') {
          const jobKey = `${ref.namespace}/${ref.name}`;
          const previous = jobOwner.get(jobKey);
          if (previous) keys.add(previous);
          const job = getObject(state, 'Job', ref.namespace, ref.name);
          const owner = job ? controllerOf(job) : undefined;
          if (owner?.kind === 'CronJob') {
            jobOwner.set(jobKey, `${ref.namespace}/${owner.name}`);
            keys.add(`${ref.namespace}/${owner.name}`);
          } else jobOwner.delete(jobKey);
        }
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
          if (keys.size === 0) return [];
          const meta = commandMetaFor(CRONJOB_CONTROLLER, event);
          const outputs: ControllerOutput[] = [];
          for (const key of [...keys].sort()) {
            const slash = key.indexOf('/');
            const result = syncCronJob(state, key.slice(0, slash), key.slice(slash + 1), meta);
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
