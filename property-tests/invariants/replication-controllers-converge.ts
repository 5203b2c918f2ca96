import { defineInvariant } from './invariant.ts';

/** Once quiet, a ReplicationController runs exactly spec.replicas active pods (namespaces under a quota excepted). */
export const replicationControllersConverge = defineInvariant({
  name: 'replication-controllers-converge',
  description: 'Once quiet, each ReplicationController owns exactly spec.replicas active pods and says so in status.replicas.',
  category: 'liveness',
  start() {
    return {
      atEnd({ state }) {
        const quotaNamespaces = new Set([...(state.objects.get('ResourceQuota')?.values() ?? [])].map((q) => q.metadata.namespace));
        for (const rc of state.objects.get('ReplicationController')?.values() ?? []) {
          if (rc.metadata.deletionTimestamp || quotaNamespaces.has(rc.metadata.namespace)) continue;
          let active = 0;
          for (const pod of state.objects.get('Pod')?.values() ?? []) {
            if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
            if (pod.metadata.ownerReferences?.some((r) => r.controller && r.uid === rc.metadata.uid)) active++;
          }
          const want: number = rc.spec?.replicas ?? 1;
          if (active !== want || rc.status?.replicas !== want) {
            return `ReplicationController ${rc.metadata.namespace}/${rc.metadata.name}: ${active} active pods, status.replicas ${rc.status?.replicas}, spec.replicas ${want}`;
          }
        }
        return undefined;
      },
    };
  },
});
