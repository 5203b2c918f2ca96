import type { Taint } from '../../core/events.ts';
import { type Toleration, toleratesTaint } from '../../projections/controllers/scheduler/tolerations.ts';
import { defineInvariant } from './invariant.ts';

export const evictionRespectsToleration = defineInvariant({
  name: 'eviction-respects-toleration',
  description:
    "Taint-based eviction: a pod is evicted from a tainted node only once the NoExecute taint has been there for the pod's tolerationSeconds (at once if it does not tolerate the taint, never if it tolerates it forever).",
  category: 'safety',
  start() {
    /** node → NoExecute taint key → the taint and the virtual time it appeared. */
    const taintedSince = new Map<string, Map<string, { taint: Taint; since: number }>>();
    return {
      onEvent(event, state) {
        // Taints change through the node lifecycle controller's NodeTaintsChanged and through the
        // API (`kubectl taint`: the Node replaced): read them from the node after either.
        if (event.stream.startsWith('Node/')) {
          const name = event.stream.slice('Node/'.length);
          const taints = ((state.objects.get('Node')?.get(name)?.spec?.taints as Taint[] | undefined) ?? []).filter((taint) => taint.effect === 'NoExecute');
          const previous = taintedSince.get(name);
          if (taints.length === 0 && !previous?.size) return undefined;
          const next = new Map<string, { taint: Taint; since: number }>();
          for (const taint of taints) next.set(taint.key, { taint, since: previous?.get(taint.key)?.since ?? event.metadata.time });
          taintedSince.set(name, next);
          return undefined;
        }
        // Only taint-based evictions: an API eviction (kubectl drain) may happen at any time.
        if (event.type !== 'PodEvicted' || event.data.reason !== 'DeletionByTaintManager') return undefined;
        const pod = state.objects.get('Pod')?.get(`${event.data.ref.namespace}/${event.data.ref.name}`);
        const node: string | undefined = pod?.spec?.nodeName;
        if (!pod || !node) return undefined;
        const taints = taintedSince.get(node);
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
