import { defineInvariant } from './invariant.ts';

/** No PersistentVolume backs two claims: no two claims name the same volume. */
export const volumeBoundOnce = defineInvariant({
  name: 'volume-bound-once',
  description: 'No two PersistentVolumeClaims are bound to the same PersistentVolume.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectReplaced' && event.type !== 'ObjectCreated') return undefined;
        const claim = event.data.object;
        if (claim.kind !== 'PersistentVolumeClaim' || !claim.spec?.volumeName) return undefined;
        for (const other of state.objects.get('PersistentVolumeClaim')?.values() ?? []) {
          if (other.metadata.uid !== claim.metadata.uid && other.spec?.volumeName === claim.spec.volumeName) {
            return `PersistentVolume ${claim.spec.volumeName} is bound to both ${other.metadata.namespace}/${other.metadata.name} and ${claim.metadata.namespace}/${claim.metadata.name}`;
          }
        }
        return undefined;
      },
    };
  },
});
