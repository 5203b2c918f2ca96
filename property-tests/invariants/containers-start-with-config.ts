import { configProblemOf } from '../../projections/controllers/kubelet/config-references.ts';
import { containerUpdatesOf } from '../../projections/state/container-updates.ts';
import { defineInvariant } from './invariant.ts';

/** The kubelet never starts a container whose ConfigMaps or Secrets (volumes, envFrom, env valueFrom) are missing. */
export const containersStartWithConfig = defineInvariant({
  name: 'containers-start-with-config',
  description: 'A container first starts only when every non-optional ConfigMap, Secret and key its pod references exists.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ContainerStateChanged' && event.type !== 'PodPhaseChanged') return undefined;
        const { ref } = event.data;
        for (const { container, reason, restartCount } of containerUpdatesOf(event)) {
          if (reason !== 'Started' || restartCount !== 0) continue;
          const pod = state.objects.get('Pod')?.get(`${ref.namespace}/${ref.name}`);
          if (!pod) return undefined;
          const problem = configProblemOf(state, pod, container);
          if (problem) return `container ${container} of Pod ${ref.namespace}/${ref.name} started although ${problem.mount ?? problem.container}`;
        }
        return undefined;
      },
    };
  },
});
