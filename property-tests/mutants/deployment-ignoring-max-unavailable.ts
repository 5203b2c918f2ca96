import { map, tap } from 'rxjs';
import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { createDeploymentController } from '../../projections/controllers/deployment/deployment-controller.ts';
import type { Controller } from '../../projections/engine/controller.ts';
import { getObject, ownedBy } from '../../projections/state/queries.ts';

const REVISION = 'deployment.kubernetes.io/revision';

function isOldReplicaSet(state: ClusterState, rs: KubeObject): boolean {
  const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Deployment');
  if (!owner) return false;
  const siblings = ownedBy(state, owner.uid).filter((o) => o.kind === 'ReplicaSet');
  const newest = Math.max(...siblings.map((s) => Number(s.metadata.annotations?.[REVISION] ?? 0)));
  return Number(rs.metadata.annotations?.[REVISION] ?? 0) < newest;
}

/**
 * The real Deployment controller with one bug: when it scales an old ReplicaSet down during a
 * rolling update, it forgets maxUnavailable and scales it straight to zero.
 */
export function deploymentIgnoringMaxUnavailable(): Controller {
  const real = createDeploymentController();
  return {
    name: real.name,
    reconcile: (input$) => {
      let state: ClusterState | undefined;
      return real.reconcile(input$.pipe(tap((input) => (state = input.state)))).pipe(
        map((output) => {
          if (output.type !== 'update' || output.object.kind !== 'ReplicaSet' || !state) return output;
          const current = getObject(state, 'ReplicaSet', output.object.metadata.namespace, output.object.metadata.name!);
          const scalingDown = current && (output.object.spec?.replicas ?? 0) < (current.spec?.replicas ?? 0);
          if (!scalingDown || !isOldReplicaSet(state, current)) return output;
          return { ...output, object: { ...output.object, spec: { ...output.object.spec, replicas: 0 } } };
        }),
      );
    },
  };
}
