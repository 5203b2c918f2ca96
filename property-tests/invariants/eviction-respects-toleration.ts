import { type Toleration, toleratesTaint } from '../../projections/controllers/scheduler/tolerations.ts';
import { defineInvariant } from './invariant.ts';
import { NoExecuteTaints } from './no-execute-taints.ts';

export const evictionRespectsToleration = defineInvariant({
  name: 'eviction-respects-toleration',
  description:
    "Taint-based eviction: a pod is evicted from a tainted node only once the NoExecute taint has been there for the pod's tolerationSeconds (at once if it does not tolerate the taint, never if it tolerates it forever).",
  category: 'safety',
  start() {
    const tainted = new NoExecuteTaints();
    return {
      onEvent(event, state) {
        if (tainted.observe(event, state)) return undefined;
        // Only taint-based evictions: an API eviction (kubectl drain) may happen at any time.
        if (event.type !== 'PodEvicted' || event.data.reason !== 'DeletionByTaintManager') return undefined;
        const pod = state.objects.get('Pod')?.get(`${event.data.ref.namespace}/${event.data.ref.name}`);
        const node: string | undefined = pod?.spec?.nodeName;
        if (!pod || !node) return undefined;
        const taints = tainted.byNode.get(node);
        if (!taints || taints.size === 0) return `pod ${event.data.ref.name} was evicted from ${node}, which has no NoExecute taint`;
        const tolerations: Toleration[] = pod.spec.tolerations ?? [];
        let earliest = Number.POSITIVE_INFINITY;
        for (const { taint, since } of taints.values()) {
          const matching = tolerations.filter((t) => toleratesTaint(t, taint));
          if (matching.length === 0) return undefined; // an untolerated NoExecute taint evicts at once
          const seconds = Math.min(...matching.map((t) => t.tolerationSeconds ?? Number.POSITIVE_INFINITY));
          earliest = Math.min(earliest, since + seconds * 1000);
        }
        if (event.metadata.time < earliest) {
          const wait = earliest === Number.POSITIVE_INFINITY ? 'it tolerates the taint forever' : `its toleration ran until ${new Date(earliest).toISOString()}`;
          return `pod ${event.data.ref.name} was evicted from ${node} at ${new Date(event.metadata.time).toISOString()}, but ${wait}`;
        }
        return undefined;
      },
    };
  },
});
