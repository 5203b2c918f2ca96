import { from, mergeMap, tap } from 'rxjs';
import type { Command } from '../../projections/commands.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { createNodeLifecycleController } from '../../projections/controllers/node-lifecycle/node-lifecycle-controller.ts';
import type { Controller, ControllerOutput } from '../../projections/engine/controller.ts';
import { podsOnNode } from '../../projections/state/queries.ts';

/**
 * The real node lifecycle controller with one bug: the moment it puts a NoExecute taint on a
 * node, it evicts every pod there, ignoring the pods' tolerationSeconds.
 */
export function nodeLifecycleEvictingImmediately(): Controller {
  const real = createNodeLifecycleController();
  return {
    name: real.name,
    reconcile: (input$) => {
      let state: ClusterState | undefined;
      return real.reconcile(input$.pipe(tap((input) => (state = input.state)))).pipe(
        mergeMap((output) => {
          const outputs: ControllerOutput[] = [output];
          if (output.type !== 'record' || output.event.type !== 'NodeTaintsChanged' || !state) return from(outputs);
          if (!output.event.data.taints.some((t) => t.effect === 'NoExecute')) return from(outputs);
          for (const pod of podsOnNode(state, output.event.data.node)) {
            if (pod.metadata.deletionTimestamp) continue;
            const ref = { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name! };
            const meta = { actor: real.name, ...(output.causationId !== undefined ? { causationId: output.causationId } : {}) };
            outputs.push({ ...meta, type: 'record', event: { type: 'PodEvicted', data: { ref, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' } } } as Command);
            outputs.push({ ...meta, type: 'delete', ref } as Command);
          }
          return from(outputs);
        }),
      );
    },
  };
}
