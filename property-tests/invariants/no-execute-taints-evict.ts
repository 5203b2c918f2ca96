import { type Toleration, toleratesTaint } from '../../projections/controllers/scheduler/tolerations.ts';
import { defineInvariant } from './invariant.ts';
import { NoExecuteTaints } from './no-execute-taints.ts';

/**
 * Virtual time a pod may stay on a node after a NoExecute taint it does not tolerate appeared. The
 * taint manager evicts such a pod at once; held or coalesced notifications (interleavings) are
 * delivered before the clock moves on, so a few seconds covers every legitimate delay.
 */
export const UNTOLERATED_TAINT_GRACE_MS = 10_000;

export const noExecuteTaintsEvict = defineInvariant({
  name: 'noexecute-taints-evict',
  description:
    'Taint-based eviction happens: no pod stays on a node (not being deleted) more than 10 s after a NoExecute taint it does not tolerate appeared there, whoever wrote the taint (the node lifecycle controller or kubectl taint).',
  category: 'liveness',
  start() {
    const tainted = new NoExecuteTaints();
    const reported = new Set<string>();
    /** Pods are looked at once per virtual instant: a pod can only outstay its grace as time moves. */
    let lookedAt = Number.NEGATIVE_INFINITY;
    return {
      onEvent(event, state) {
        tainted.observe(event, state);
        if (tainted.byNode.size === 0) return undefined;
        const now = event.metadata.time;
        if (now === lookedAt) return undefined;
        lookedAt = now;
        for (const [node, taints] of tainted.byNode) {
          for (const { taint, since } of taints.values()) {
            if (now - since <= UNTOLERATED_TAINT_GRACE_MS) continue;
            for (const key of state.podsByNode.get(node) ?? []) {
              const pod = state.objects.get('Pod')?.get(key);
              if (!pod || pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
              const tolerations: Toleration[] = pod.spec?.tolerations ?? [];
              if (tolerations.some((t) => toleratesTaint(t, taint))) continue;
              const id = `${pod.metadata.uid}/${taint.key}`;
              if (reported.has(id)) continue;
              reported.add(id);
              return `pod ${pod.metadata.name} is still on ${node} ${Math.round((now - since) / 1000)}s after the NoExecute taint ${taint.key} it does not tolerate appeared there`;
            }
          }
        }
        return undefined;
      },
    };
  },
});
