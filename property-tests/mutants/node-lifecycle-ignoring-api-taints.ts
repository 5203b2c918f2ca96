import { filter } from 'rxjs';
import { createNodeLifecycleController } from '../../projections/controllers/node-lifecycle/node-lifecycle-controller.ts';
import type { Controller } from '../../projections/engine/controller.ts';

/**
 * The real node lifecycle controller with the bug Orrery had until edd71aa: its taint manager never
 * sees a Node updated through the API, so a NoExecute taint written by `kubectl taint` evicts
 * nothing; only the taints it writes itself (unreachable, not-ready) do.
 */
export function nodeLifecycleIgnoringApiTaints(): Controller {
  const real = createNodeLifecycleController();
  return {
    name: real.name,
    reconcile: (input$) => real.reconcile(input$.pipe(filter(({ event }) => !(event.type === 'ObjectReplaced' && event.data.object.kind === 'Node')))),
  };
}
