import { type Observable } from 'rxjs';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { type ScalingHistory, emptyHistory } from './normalize.ts';
import { syncHpa } from './sync-hpa.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const HPA_CONTROLLER = 'horizontal-pod-autoscaler';

/** `--horizontal-pod-autoscaler-sync-period`. */
export const HPA_SYNC_PERIOD_MS = 15_000;

/**
 * The HorizontalPodAutoscaler controller: each HPA is reconciled when it is created or its spec
 * changes, and then every sync period on the virtual clock (metrics are sampled, not watched).
 * Its recommendation and scale-event history lives here, in memory, as it does in Kubernetes.
 */
export function createHpaController(): Controller {
  return {
    name: HPA_CONTROLLER,
    // Its sync-period timers are wakes it asked for, which the engine hands it when due.
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectRemoved'], kinds: ['HorizontalPodAutoscaler'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const timers = new Map<string, number>();
      const histories = new Map<string, ScalingHistory>();
      let started = false;

      function due(event: ReconcileInput['event'], state: ReconcileInput['state']): Set<string> {
        const keys = new Set<string>();
        if (!started) {
          started = true;
          for (const hpa of listObjects(state, 'HorizontalPodAutoscaler')) keys.add(`${hpa.metadata.namespace}/${hpa.metadata.name}`);
        }
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          if (object.kind === 'HorizontalPodAutoscaler') keys.add(`${object.metadata.namespace}/${object.metadata.name}`);
        } else if (event.type === 'ObjectRemoved') {
          const ref = (event.data as { ref: ObjectRef }).ref;
          if (ref.kind === 'HorizontalPodAutoscaler') {
            timers.delete(`${ref.namespace}/${ref.name}`);
            histories.delete(`${ref.namespace}/${ref.name}`);
          }
        }
        for (const [key, time] of timers) if (time <= state.time) keys.add(key);
        return keys;
      }

      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const keys = due(event, state);
          if (keys.size === 0) return [];
          const meta = commandMetaFor(HPA_CONTROLLER, event);
          const outputs: ControllerOutput[] = [];
          for (const key of [...keys].sort()) {
            const slash = key.indexOf('/');
            const hpa = getObject(state, 'HorizontalPodAutoscaler', key.slice(0, slash), key.slice(slash + 1));
            if (!hpa || hpa.metadata.deletionTimestamp) {
              timers.delete(key);
              continue;
            }
            let history = histories.get(key);
            if (!history) histories.set(key, (history = emptyHistory()));
            outputs.push(...syncHpa(state, hpa, history, meta));
            const next = state.time + HPA_SYNC_PERIOD_MS;
            if (timers.get(key) !== next) {
              timers.set(key, next);
              outputs.push({ type: 'wakeAt', time: next });
            }
          }
          return outputs;
        }),
      );
    },
  };
}
