import { defineInvariant } from './invariant.ts';

export const podBoundOnce = defineInvariant({
  name: 'pod-bound-once',
  description: 'A pod is bound to at most one node and never moves to another.',
  category: 'safety',
  start() {
    const boundTo = new Map<string, string>();
    return {
      onEvent(event, state) {
        if (event.type !== 'PodScheduled' && event.type !== 'ObjectReplaced') return undefined;
        const ref = event.type === 'PodScheduled' ? event.data.ref : event.data.object.kind === 'Pod' ? event.data.object.metadata : undefined;
        if (!ref) return undefined;
        const key = `${ref.namespace}/${ref.name}`;
        const pod = state.objects.get('Pod')?.get(key);
        const uid = pod?.metadata.uid;
        const node = pod?.spec?.nodeName as string | undefined;
        if (!uid || !node) return undefined;
        const previous = boundTo.get(uid);
        if (previous !== undefined && previous !== node) return `pod ${key} moved from node ${previous} to ${node}`;
        boundTo.set(uid, node);
        return undefined;
      },
    };
  },
});
