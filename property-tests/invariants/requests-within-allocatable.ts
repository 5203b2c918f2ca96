import { nodeOvercommit } from '../../projections/state/node-overcommit.ts';
import { defineInvariant } from './invariant.ts';

export const requestsWithinAllocatable = defineInvariant({
  name: 'requests-within-allocatable',
  description: "The resources requested by a node's pods never exceed the node's allocatable cpu, memory and pods.",
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type === 'PodScheduled') return nodeOvercommit(state, event.data.nodeName);
        return undefined;
      },
    };
  },
});
