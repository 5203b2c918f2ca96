import { defineInvariant } from './invariant.ts';

/** No two Services ever hold the same ClusterIP or NodePort (the allocators hand each out once). */
export const serviceAllocationsUnique = defineInvariant({
  name: 'service-allocations-unique',
  description: 'No two Services hold the same ClusterIP or the same NodePort.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectCreated' && event.type !== 'ObjectReplaced') return undefined;
        const changed = event.data.object;
        if (changed.kind !== 'Service') return undefined;
        const ips = new Set<string>(changed.spec?.clusterIPs ?? []);
        const ports = new Set<number>((changed.spec?.ports ?? []).map((p: { nodePort?: number }) => p.nodePort).filter(Boolean));
        for (const other of state.objects.get('Service')?.values() ?? []) {
          if (other.metadata.uid === changed.metadata.uid) continue;
          const name = `${other.metadata.namespace}/${other.metadata.name}`;
          for (const ip of other.spec?.clusterIPs ?? []) if (ip !== 'None' && ips.has(ip)) return `Service ${changed.metadata.namespace}/${changed.metadata.name} got ClusterIP ${ip}, already held by ${name}`;
          for (const port of other.spec?.ports ?? []) if (port.nodePort && ports.has(port.nodePort)) return `Service ${changed.metadata.namespace}/${changed.metadata.name} got NodePort ${port.nodePort}, already held by ${name}`;
        }
        return undefined;
      },
    };
  },
});
