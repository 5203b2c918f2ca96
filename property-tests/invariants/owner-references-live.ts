import type { ClusterState } from '../../projections/cluster-state.ts';
import { objectByUid } from '../../projections/state/queries.ts';
import { defineInvariant } from './invariant.ts';

function danglingOwner(state: ClusterState, ownerReferences: Array<{ uid: string; kind: string; name: string }> | undefined): string | undefined {
  for (const owner of ownerReferences ?? []) {
    if (!objectByUid(state, owner.uid)) return `${owner.kind}/${owner.name} (uid ${owner.uid})`;
  }
  return undefined;
}

export const ownerReferencesLive = defineInvariant({
  name: 'owner-references-live',
  description:
    'No object is created pointing at an owner that is gone, and once the cluster settles every ownerReference points at a live owner (garbage collection is never left pending).',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectCreated') return undefined;
        const object = event.data.object;
        const missing = danglingOwner(state, object.metadata.ownerReferences);
        return missing ? `${object.kind} ${object.metadata.name} was created owned by ${missing}, which does not exist` : undefined;
      },
      atEnd({ state }) {
        for (const [kind, objects] of state.objects) {
          for (const object of objects.values()) {
            if (object.metadata.deletionTimestamp) continue;
            const missing = danglingOwner(state, object.metadata.ownerReferences);
            if (missing) return `${kind} ${object.metadata.name} still points at ${missing}, which is gone`;
          }
        }
        return undefined;
      },
    };
  },
});
