import type { KubeObject } from '../../core/model/object.ts';
import { formatDuration } from '../../core/virtual-clock.ts';
import { defineInvariant } from './invariant.ts';

/** Annotations that script a container to keep failing: such a workload is a fault that never stops. */
const NEVER_HEALTHY = ['exit-after', 'exit-code', 'liveness-fail-after', 'readiness-fail-after', 'image-pull'];

export function scriptedToFail(template: KubeObject['spec']): boolean {
  const annotations: Record<string, string> = template?.metadata?.annotations ?? {};
  return Object.keys(annotations).some((key) => key.startsWith('sim.orrery.dev/') && NEVER_HEALTHY.some((k) => key.endsWith(k)));
}

export const workloadsConverge = defineInvariant({
  name: 'workloads-converge',
  description:
    'Once faults and user actions stop, every Deployment reaches its desired state (all replicas updated and available, status observed) by the end of the run.',
  category: 'liveness',
  start() {
    return {
      atEnd({ state, quietSince }) {
        const waited = formatDuration(state.time - quietSince);
        for (const deployment of state.objects.get('Deployment')?.values() ?? []) {
          if (deployment.spec?.paused || deployment.metadata.deletionTimestamp || scriptedToFail(deployment.spec?.template)) continue;
          const name = `${deployment.metadata.namespace}/${deployment.metadata.name}`;
          const replicas: number = deployment.spec?.replicas ?? 1;
          const status = deployment.status ?? {};
          if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 1)) {
            return `deployment ${name}: generation ${deployment.metadata.generation} not observed (observedGeneration ${status.observedGeneration ?? 0}) ${waited} after the last action`;
          }
          for (const field of ['replicas', 'updatedReplicas', 'availableReplicas'] as const) {
            if ((status[field] ?? 0) !== replicas) {
              return `deployment ${name}: ${field} is ${status[field] ?? 0}, want ${replicas}, ${waited} after the last action`;
            }
          }
        }
        return undefined;
      },
    };
  },
});
