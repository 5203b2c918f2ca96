import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { HPA_CONTROLLER, HPA_SYNC_PERIOD_MS } from '../../projections/controllers/hpa/hpa-controller.ts';
import { defineInvariant } from './invariant.ts';

function autoscalersOf(state: ClusterState, target: KubeObject): KubeObject[] {
  return [...(state.objects.get('HorizontalPodAutoscaler')?.values() ?? [])].filter(
    (hpa) => hpa.metadata.namespace === target.metadata.namespace && hpa.spec?.scaleTargetRef?.kind === target.kind && hpa.spec?.scaleTargetRef?.name === target.metadata.name,
  );
}

function outOfBounds(hpa: KubeObject, replicas: number): string | undefined {
  const min: number = hpa.spec?.minReplicas ?? 1;
  const max: number = hpa.spec?.maxReplicas;
  if (replicas < min || replicas > max) return `${replicas} replicas, outside [${min}, ${max}] of HorizontalPodAutoscaler ${hpa.metadata.namespace}/${hpa.metadata.name}`;
  return undefined;
}

/**
 * The autoscaler never sets a scale outside its HPA's minReplicas..maxReplicas, and a target left
 * outside them (by a user) is brought back within two sync periods once things are quiet. A target
 * at zero replicas is exempt: Kubernetes disables autoscaling for it.
 */
export const hpaWithinBounds = defineInvariant({
  name: 'hpa-within-bounds',
  description: 'Scales written by the HPA controller lie within minReplicas..maxReplicas, and every autoscaled target (not at zero) ends within them.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectReplaced' || event.metadata.actor !== HPA_CONTROLLER) return undefined;
        const target = event.data.object;
        for (const hpa of autoscalersOf(state, target)) {
          const problem = outOfBounds(hpa, target.spec?.replicas ?? 1);
          if (problem) return `the autoscaler set ${target.kind} ${target.metadata.namespace}/${target.metadata.name} to ${problem}`;
        }
        return undefined;
      },
      atEnd({ state, quietSince }) {
        if (state.time - quietSince < 2 * HPA_SYNC_PERIOD_MS) return undefined;
        for (const hpa of state.objects.get('HorizontalPodAutoscaler')?.values() ?? []) {
          const ref = hpa.spec?.scaleTargetRef ?? {};
          const target = state.objects.get(ref.kind)?.get(`${hpa.metadata.namespace}/${ref.name}`);
          const replicas: number | undefined = target?.spec?.replicas;
          if (!target || replicas === 0) continue;
          const problem = outOfBounds(hpa, replicas ?? 1);
          if (problem) return `${target.kind} ${hpa.metadata.namespace}/${ref.name} ends with ${problem}`;
        }
        return undefined;
      },
    };
  },
});
