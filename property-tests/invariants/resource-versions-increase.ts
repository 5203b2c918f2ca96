import { defineInvariant } from './invariant.ts';

export const resourceVersionsIncrease = defineInvariant({
  name: 'resource-versions-increase',
  description: "Log positions are dense and increasing, and every object's resourceVersion strictly increases with each change.",
  category: 'safety',
  start() {
    let last = 0;
    const versions = new Map<string, number>();
    return {
      onEvent(event, state) {
        if (event.position !== last + 1) return `position ${event.position} follows ${last}`;
        last = event.position;
        if (event.type !== 'ObjectCreated' && event.type !== 'ObjectReplaced') return undefined;
        const object = event.data.object;
        const key = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
        const current = state.objects.get(object.kind)?.get(object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name!);
        const version = Number(current?.metadata.resourceVersion);
        const previous = versions.get(key) ?? 0;
        if (!(version > previous)) return `${key} went from resourceVersion ${previous} to ${current?.metadata.resourceVersion}`;
        if (version !== event.position) return `${key} has resourceVersion ${version} after the event at position ${event.position}`;
        versions.set(key, version);
        return undefined;
      },
    };
  },
});
