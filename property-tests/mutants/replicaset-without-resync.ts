import { defer, filter, tap } from 'rxjs';
import { createReplicaSetController } from '../../projections/controllers/replicaset/replicaset-controller.ts';
import type { Controller } from '../../projections/engine/controller.ts';

/**
 * The real ReplicaSet controller with a restart bug: a fresh instance only warms up on its first
 * input and acts on nothing it issues then, so it never resyncs the ReplicaSets it finds (Kubernetes
 * controllers get a synthetic add for every object when their informers list at start). In the
 * engine's default order the first input is ClusterInitialized, before any ReplicaSet exists, so it
 * is never caught; when it crashes mid-reconcile and restarts, a ReplicaSet whose pods it was
 * creating stays short until something else about it happens.
 */
export function replicaSetWithoutResync(): Controller {
  const real = createReplicaSetController();
  return {
    name: real.name,
    reconcile: (input$) =>
      defer(() => {
        let inputs = 0;
        return real.reconcile(input$.pipe(tap(() => inputs++))).pipe(filter(() => inputs > 1));
      }),
  };
}
