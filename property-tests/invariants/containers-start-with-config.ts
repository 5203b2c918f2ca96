import { configProblemOf } from '../../projections/controllers/kubelet/config-references.ts';
import { defineInvariant } from './invariant.ts';

/** The kubelet never starts a container whose ConfigMaps or Secrets (volumes, envFrom, env valueFrom) are missing. */
export const containersStartWithConfig = defineInvariant({
  name: 'containers-start-with-config',
  description: 'A container first starts only when every non-optional ConfigMap, Secret and key its pod references exists.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ContainerStateChanged' || event.data.reason !== 'Started' || event.data.restartCount !== 0) return undefined;
        const { ref, container } = event.data;
        const pod = state.objects.get('Pod')?.get(`${ref.namespace}/${ref.name}`);
        if (!pod) return undefined;
        const problem = configProblemOf(state, pod, container);
        if (!problem) return undefined;
        return `container ${container} of Pod ${ref.namespace}/${ref.name} started although ${problem.mount ?? problem.container}`;
      },
    };
  },
});
