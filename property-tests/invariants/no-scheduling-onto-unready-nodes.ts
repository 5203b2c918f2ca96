import { nodeInfoOf } from '../../projections/controllers/scheduler/node-info.ts';
import { firstUntoleratedTaint } from '../../projections/controllers/scheduler/tolerations.ts';
import { defineInvariant } from './invariant.ts';

export const noSchedulingOntoUnreadyNodes = defineInvariant({
  name: 'no-scheduling-onto-unready-nodes',
  description: 'Nothing is newly scheduled onto a cordoned, NotReady or unreachable node, unless the pod tolerates it.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'PodScheduled') return undefined;
        const node = state.objects.get('Node')?.get(event.data.nodeName);
        const pod = state.objects.get('Pod')?.get(`${event.data.ref.namespace}/${event.data.ref.name}`);
        if (!node || !pod) return `pod ${event.data.ref.name} was bound to missing node ${event.data.nodeName}`;
        const info = nodeInfoOf(node);
        const tolerations = pod.spec?.tolerations ?? [];
        const untolerated = firstUntoleratedTaint(info.hardTaints, tolerations);
        if (untolerated) return `pod ${event.data.ref.name} was scheduled onto ${info.name} despite taint ${untolerated.key}:${untolerated.effect}`;
        if (info.unschedulable && !tolerations.some((t: { key?: string }) => t.key === 'node.kubernetes.io/unschedulable')) {
          return `pod ${event.data.ref.name} was scheduled onto cordoned node ${info.name}`;
        }
        return undefined;
      },
    };
  },
});
