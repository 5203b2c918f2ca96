import { from, mergeMap } from 'rxjs';
import type { Command } from '../../projections/commands.ts';
import { needsScheduling } from '../../projections/controllers/scheduler/pod-info.ts';
import { SCHEDULER_NAME } from '../../projections/controllers/scheduler/scheduler-controller.ts';
import type { Controller } from '../../projections/engine/controller.ts';

/**
 * A scheduler with the classic bug: it never looks at resources (or taints). Every new pod goes
 * to the first node by name, however full that node is.
 */
export function schedulerIgnoringCapacity(): Controller {
  return {
    name: SCHEDULER_NAME,
    reconcile: (input$) =>
      input$.pipe(
        mergeMap(({ event, state }) => {
          const commands: Command[] = [];
          if (event.type !== 'ObjectCreated' || event.data.object.kind !== 'Pod') return from(commands);
          const target = [...(state.objects.get('Node')?.keys() ?? [])].sort()[0];
          const meta = event.data.object.metadata;
          const pod = state.objects.get('Pod')?.get(`${meta.namespace}/${meta.name}`);
          if (!target || !pod || !needsScheduling(pod)) return from(commands);
          commands.push({
            type: 'record',
            actor: SCHEDULER_NAME,
            causationId: event.position,
            event: {
              type: 'PodScheduled',
              data: {
                ref: { kind: 'Pod', namespace: meta.namespace!, name: meta.name! },
                nodeName: target,
                decision: { evaluated: 1, feasible: 1, verdicts: [], chosen: target },
              },
            },
          });
          return from(commands);
        }),
      ),
  };
}
